package lwrap.handlers;

import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import lwrap.runtime.Context;

/**
 * interleave: for i in 1..lines (M), prints "<requestId> print i" and logs "<requestId> log i"
 * (context.getLogger()), sleeping ms between lines so concurrent invokes interleave. With
 * barrier/count it first waits (as sleep does) until count invokes are in flight. Returns
 * {"requestId":..,"lines":M,"thread":name}.
 */
public class Interleave {
    private static long num(Map<?, ?> ev, String key, long dflt) {
        Object v = ev.get(key);
        return v instanceof Number ? ((Number) v).longValue() : dflt;
    }

    public Object handleRequest(Object event, Context context) throws IOException, InterruptedException {
        Map<?, ?> ev = event instanceof Map ? (Map<?, ?>) event : new LinkedHashMap<>();
        String rid = context.getAwsRequestId();
        Object barrier = ev.get("barrier");
        if (barrier instanceof String) {
            File dir = new File((String) barrier);
            new File(dir, rid).createNewFile();
            long deadline = System.currentTimeMillis() + 20000;
            while (dir.list().length < num(ev, "count", 1) && System.currentTimeMillis() < deadline) Thread.sleep(10);
        }
        long m = num(ev, "lines", 1), ms = num(ev, "ms", 0);
        for (long i = 1; i <= m; i++) {
            System.out.println(rid + " print " + i);
            context.getLogger().log(rid + " log " + i);
            Thread.sleep(ms);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requestId", rid);
        out.put("lines", m);
        out.put("thread", Thread.currentThread().getName());
        return out;
    }
}
