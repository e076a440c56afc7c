package lwrap.handlers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lwrap.runtime.Context;

/** env: returns the real argv (/proc/self/cmdline), pid, and the environment variables named
 * in event.names (null when unset): {"argv":[..],"pid":N,"env":{..}}.
 * A JVM cannot set its own environment: _X_AMZN_TRACE_ID comes from the system property
 * com.amazonaws.xray.traceHeader, where AWS's Java runtime puts the trace id. */
public class Env {
    public Object handleRequest(Object event, Context context) throws Exception {
        String raw = new String(Files.readAllBytes(Paths.get("/proc/self/cmdline")), StandardCharsets.UTF_8);
        List<String> argv = new ArrayList<>(List.of(raw.split("\0")));
        Map<String, Object> env = new LinkedHashMap<>();
        if (event instanceof Map && ((Map<?, ?>) event).get("names") instanceof List) {
            for (Object o : (List<?>) ((Map<?, ?>) event).get("names")) {
                String n = String.valueOf(o);
                String v = System.getenv(n);
                if (v == null && n.equals("_X_AMZN_TRACE_ID")) v = System.getProperty("com.amazonaws.xray.traceHeader");
                env.put(n, v);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("argv", argv);
        out.put("pid", ProcessHandle.current().pid());
        out.put("env", env);
        return out;
    }
}
