package lwrap.runtime;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The context logger, like AWS's LambdaContextLogger: with a telemetry fd each log() call is
 * one frame (header then message, two write() calls, as AWS's client does); without it the
 * message goes to stdout in one write (a newline is added when missing, so each call is one line).
 * log(msg) has no level (frame type 0xA55A0003); log(msg, level) sets the level bits.
 */
public final class LambdaLogger {
    private static final int TEXT = 0xA55A0003;
    private static final int JSON = 0xA55A0002;
    private static final String[] NAMES = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
    private static final int[] MASKS = {0x04, 0x08, 0x0C, 0x10, 0x14, 0x18};

    private final OutputStream fd;
    private final PrintStream stdout;
    private final boolean json;
    private final int minLevel;
    private final ThreadLocal<String> requestId = new ThreadLocal<>();

    LambdaLogger(OutputStream fd, PrintStream stdout, boolean json, String minLevel) {
        this.fd = fd;
        this.stdout = stdout;
        this.json = json;
        this.minLevel = json ? Math.max(levelIndex(minLevel), 0) : 0;
    }

    /** Reads _LAMBDA_TELEMETRY_LOG_FD (Java cannot unset it: see the runtime's notes). */
    static LambdaLogger fromEnvironment(PrintStream stdout) throws IOException {
        String fdNum = System.getenv("_LAMBDA_TELEMETRY_LOG_FD");
        OutputStream out = null;
        if (fdNum != null && !fdNum.isEmpty()) {
            out = new FileOutputStream("/proc/self/fd/" + Integer.parseInt(fdNum.trim()));
        }
        boolean json = "JSON".equalsIgnoreCase(System.getenv("AWS_LAMBDA_LOG_FORMAT"));
        return new LambdaLogger(out, stdout, json, System.getenv("AWS_LAMBDA_LOG_LEVEL"));
    }

    void setRequestId(String id) { requestId.set(id); }

    String getRequestId() { return requestId.get(); }

    private static int levelIndex(String level) {
        if (level == null) return -1;
        String l = level.toUpperCase();
        if (l.equals("WARNING")) l = "WARN";
        for (int k = 0; k < NAMES.length; k++) if (NAMES[k].equals(l)) return k;
        return -1;
    }

    public void log(String message) {
        emit(message == null ? "null" : message, -1);
    }

    public void log(String message, String level) {
        emit(message == null ? "null" : message, levelIndex(level));
    }

    private void emit(String message, int level) {
        if (level >= 0 && level < minLevel) return;
        Instant now = Instant.now();
        long nowUs = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        String text = message;
        if (json) {
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("timestamp", Instant.ofEpochMilli(nowUs / 1000).toString());
            rec.put("level", level >= 0 ? NAMES[level] : "UNDEFINED");
            rec.put("message", message);
            rec.put("AWSRequestId", requestId.get());
            text = Json.write(rec);
        }
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            try {
                if (fd == null) {
                    // one write with its newline: another thread's println cannot land between
                    // them (threads of a Managed Instances pool log at once)
                    if (body.length == 0 || body[body.length - 1] != '\n') {
                        body = java.util.Arrays.copyOf(body, body.length + 1);
                        body[body.length - 1] = '\n';
                    }
                    stdout.write(body);
                    stdout.flush();
                    return;
                }
                int type = (json ? JSON : TEXT) | (level >= 0 ? MASKS[level] : 0);
                ByteBuffer head = ByteBuffer.allocate(16);
                head.putInt(type).putInt(body.length).putLong(nowUs);
                fd.write(head.array());
                fd.write(body);
                fd.flush();
            } catch (IOException e) {
                stdout.println("runtime: telemetry write failed: " + e);
            }
        }
    }
}
