package lwrap.handlers;

import lwrap.runtime.Context;

/** echo: returns the event unchanged. */
public class Echo {
    public Object handleRequest(Object event, Context context) {
        return event;
    }
}
