package lwrap.handlers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lwrap.runtime.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * snaphooks: SnapStart hooks (org.crac). The constructor registers two resources; each
 * prints and logs its hook's name. SNAP_FAIL=before|after makes the hook of that kind of
 * the second resource throw; SNAP_EXIT=after makes it exit the JVM (a crash during
 * restore). Returns {"ran":[names in order],"jumpMs":ms between before-1 and after-1}.
 */
public class Snaphooks {
    static final List<String> RAN = new ArrayList<>();
    static final Map<String, Long> MARKS = new LinkedHashMap<>();

    static final class Hook implements Resource {
        private final int n;

        Hook(int n) {
            this.n = n;
        }

        private void mark(String name) throws Exception {
            synchronized (RAN) {
                RAN.add(name);
                MARKS.put(name, System.currentTimeMillis());
            }
            System.out.println("hook " + name);
            String fail = System.getenv().getOrDefault("SNAP_FAIL", "");
            if (n == 2 && name.startsWith(fail + "-") && !fail.isEmpty()) throw new IllegalStateException("hook " + name + " failed");
            if (n == 2 && name.startsWith("after-") && "after".equals(System.getenv("SNAP_EXIT"))) Runtime.getRuntime().halt(7);
        }

        @Override
        public void beforeCheckpoint(org.crac.Context<? extends Resource> context) throws Exception {
            mark("before-" + n);
        }

        @Override
        public void afterRestore(org.crac.Context<? extends Resource> context) throws Exception {
            mark("after-" + n);
        }
    }

    public Snaphooks() {
        Core.getGlobalContext().register(new Hook(1));
        Core.getGlobalContext().register(new Hook(2));
    }

    public Object handleRequest(Object event, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        synchronized (RAN) {
            out.put("ran", new ArrayList<>(RAN));
            Long b = MARKS.get("before-1"), a = MARKS.get("after-1");
            out.put("jumpMs", a != null && b != null ? (Object) (a - b) : null);
        }
        out.put("requestId", context.getAwsRequestId());
        return out;
    }
}
