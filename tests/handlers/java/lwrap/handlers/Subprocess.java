package lwrap.handlers;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lwrap.runtime.Context;

/** subprocess: runs a child whose stdout is a pipe (default `printf 'a\0b\n'`, or event.argv)
 * and returns its bytes as hex: {"hex":"6100620a","status":0}. */
public class Subprocess {
    public Object handleRequest(Object event, Context context) throws Exception {
        List<String> argv = new ArrayList<>(List.of("printf", "a\\0b\\n"));
        if (event instanceof Map && ((Map<?, ?>) event).get("argv") instanceof List) {
            argv.clear();
            for (Object a : (List<?>) ((Map<?, ?>) event).get("argv")) argv.add(String.valueOf(a));
        }
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        StringBuilder hex = new StringBuilder();
        try (InputStream in = p.getInputStream()) {
            for (int b; (b = in.read()) >= 0; ) hex.append(String.format("%02x", b));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hex", hex.toString());
        out.put("status", (long) p.waitFor());
        return out;
    }
}
