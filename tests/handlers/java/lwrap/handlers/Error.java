package lwrap.handlers;

import java.util.Map;
import lwrap.runtime.Context;

/** error: throws HandlerError(event.message or "boom") two calls deep. */
public class Error {
    private static void fail(String message) {
        throw new HandlerError(message);
    }

    public Object handleRequest(Object event, Context context) {
        Object m = event instanceof Map ? ((Map<?, ?>) event).get("message") : null;
        fail(m instanceof String ? (String) m : "boom");
        return null;
    }
}
