package lwrap.handlers;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import lwrap.runtime.Context;

/**
 * sleep: sleeps event.ms milliseconds (for timeout tests).
 * With event.barrier (a directory) and event.count it is a rendezvous instead: it creates a
 * file there named after its request id, waits (at most ms) until count files exist, and
 * returns {"slept":ms,"peers":n}; n == count proves count invokes were in flight at once.
 */
public class Sleep {
    private static int peers(File dir) {
        String[] names = dir.list();
        return names == null ? 0 : names.length;
    }

    public Object handleRequest(Object event, Context context) throws Exception {
        Map<?, ?> e = event instanceof Map ? (Map<?, ?>) event : Map.of();
        long ms = e.get("ms") instanceof Number ? ((Number) e.get("ms")).longValue() : 0;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("slept", ms);
        if (!(e.get("barrier") instanceof String)) {
            Thread.sleep(ms);
            return out;
        }
        File dir = new File((String) e.get("barrier"));
        long count = e.get("count") instanceof Number ? ((Number) e.get("count")).longValue() : 1;
        new File(dir, context.getAwsRequestId()).createNewFile();
        long deadline = System.nanoTime() + ms * 1_000_000L;
        while (peers(dir) < count && System.nanoTime() < deadline) Thread.sleep(10);
        out.put("peers", (long) peers(dir));
        return out;
    }
}
