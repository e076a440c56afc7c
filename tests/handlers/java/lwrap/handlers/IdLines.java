package lwrap.handlers;

import java.util.Map;
import lwrap.runtime.Context;

/**
 * idlines: prints event.lines lines "idline <request id> <k>" (one println each), sleeping
 * event.ms between them so that concurrent invokes interleave, then one JSON line carrying
 * its own requestId; returns {"id": id}. For lwrap's attribution tests.
 */
public class IdLines {
    public Object handleRequest(Object event, Context context) throws Exception {
        Map<?, ?> e = event instanceof Map ? (Map<?, ?>) event : Map.of();
        long lines = e.get("lines") instanceof Number ? ((Number) e.get("lines")).longValue() : 1;
        long ms = e.get("ms") instanceof Number ? ((Number) e.get("ms")).longValue() : 0;
        String rid = context.getAwsRequestId();
        for (long k = 0; k < lines; k++) {
            System.out.println("idline " + rid + " " + k);
            Thread.sleep(ms);
        }
        System.out.println("{\"msg\":\"jline\",\"requestId\":\"" + rid + "\"}");
        return Map.of("id", rid);
    }
}
