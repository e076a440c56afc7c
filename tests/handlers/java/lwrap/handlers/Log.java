package lwrap.handlers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lwrap.runtime.Context;

/**
 * log: for each string in event.lines, print it (System.out.println) and log it
 * (context.getLogger().log(line, level); event.level, default INFO). event.print lines are
 * only printed, event.log lines only logged, event.stderr lines go to System.err;
 * event.raw / event.rawStderr strings are written as they are (no newline added, one write
 * each) to stdout / stderr after everything else.
 */
public class Log {
    private static List<?> list(Map<?, ?> event, String key) {
        Object v = event.get(key);
        return v instanceof List ? (List<?>) v : List.of();
    }

    private static void writeRaw(java.io.PrintStream out, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        out.flush();
    }

    public Object handleRequest(Object event, Context context) {
        Map<?, ?> e = event instanceof Map ? (Map<?, ?>) event : Map.of();
        String level = e.get("level") instanceof String ? (String) e.get("level") : "INFO";
        long printed = 0;
        long logged = 0;
        for (Object line : list(e, "lines")) {
            System.out.println(line);
            context.getLogger().log(String.valueOf(line), level);
            printed++;
            logged++;
        }
        for (Object line : list(e, "print")) {
            System.out.println(line);
            printed++;
        }
        for (Object line : list(e, "log")) {
            context.getLogger().log(String.valueOf(line), level);
            logged++;
        }
        for (Object line : list(e, "stderr")) System.err.println(line);
        if (e.get("raw") instanceof String) writeRaw(System.out, (String) e.get("raw"));
        if (e.get("rawStderr") instanceof String) writeRaw(System.err, (String) e.get("rawStderr"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("printed", printed);
        out.put("logged", logged);
        return out;
    }
}
