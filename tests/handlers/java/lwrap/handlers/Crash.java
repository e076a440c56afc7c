package lwrap.handlers;

import java.util.Map;
import lwrap.runtime.Context;

/**
 * crash: {"how":"exit","code":N} halts the JVM at once (Runtime.halt, default 3);
 * {"how":"segfault"} writes through a null address with sun.misc.Unsafe (the JVM reports a
 * fatal error and aborts); {"how":"kill","signal":N} signals itself with kill(1).
 */
public class Crash {
    public Object handleRequest(Object event, Context context) throws Exception {
        Map<?, ?> e = event instanceof Map ? (Map<?, ?>) event : Map.of();
        String how = e.get("how") instanceof String ? (String) e.get("how") : "exit";
        if (how.equals("segfault")) {
            // Through reflection, so javac -Werror does not warn about the internal API.
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafeClass.getMethod("putAddress", long.class, long.class).invoke(f.get(null), 0L, 0L);
        } else if (how.equals("kill")) {
            Object sig = e.get("signal");
            new ProcessBuilder("kill", "-" + (sig == null ? "9" : sig), String.valueOf(ProcessHandle.current().pid()))
                    .inheritIO().start().waitFor();
            Thread.sleep(10000);
        }
        Object code = e.get("code");
        Runtime.getRuntime().halt(code instanceof Number ? ((Number) code).intValue() : 3);
        return null;
    }
}
