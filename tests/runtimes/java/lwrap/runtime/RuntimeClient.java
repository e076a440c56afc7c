package lwrap.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The Runtime API over HttpURLConnection (which keeps connections alive between calls). */
final class RuntimeClient {
    static final class Invocation {
        final Map<String, String> headers;
        final String body;

        Invocation(Map<String, String> headers, String body) {
            this.headers = headers;
            this.body = body;
        }
    }

    private final String base;

    RuntimeClient(String address) {
        this.base = "http://" + address + "/2018-06-01/runtime";
    }

    private static byte[] readAll(InputStream in) throws IOException {
        if (in == null) return new byte[0];
        try (InputStream s = in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = s.read(buf)) > 0; ) out.write(buf, 0, n);
            return out.toByteArray();
        }
    }

    Invocation next() throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(base + "/invocation/next").openConnection();
        c.setReadTimeout(0); // `next` blocks until there is an invoke: no client timeout
        int status = c.getResponseCode();
        byte[] body = readAll(status >= 400 ? c.getErrorStream() : c.getInputStream());
        if (status != 200) throw new IOException("next: HTTP " + status);
        Map<String, String> h = new HashMap<>();
        for (Map.Entry<String, List<String>> e : c.getHeaderFields().entrySet()) {
            if (e.getKey() != null && !e.getValue().isEmpty()) h.put(e.getKey().toLowerCase(), e.getValue().get(0));
        }
        return new Invocation(h, new String(body, StandardCharsets.UTF_8));
    }

    /** SnapStart: returns once the snapshot is restored (200, no body). */
    void restoreNext() throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(base + "/restore/next").openConnection();
        c.setReadTimeout(0); // waits for the restore, however long
        int status = c.getResponseCode();
        readAll(status >= 400 ? c.getErrorStream() : c.getInputStream());
        if (status != 200) throw new IOException("restore/next: HTTP " + status);
    }

    int post(String path, String body, String errorType) throws IOException {
        byte[] data = body.getBytes(StandardCharsets.UTF_8);
        HttpURLConnection c = (HttpURLConnection) new URL(base + path).openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(data.length);
        c.setRequestProperty("Content-Type", "application/json");
        if (errorType != null) c.setRequestProperty("Lambda-Runtime-Function-Error-Type", errorType);
        try (OutputStream out = c.getOutputStream()) {
            out.write(data);
        }
        int status = c.getResponseCode();
        byte[] answer = readAll(status >= 400 ? c.getErrorStream() : c.getInputStream());
        if (status != 202) {
            System.err.println("runtime: POST " + path + " -> HTTP " + status + " "
                    + new String(answer, StandardCharsets.UTF_8));
        }
        return status;
    }
}
