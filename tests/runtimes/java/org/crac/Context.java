package org.crac;

import java.util.ArrayList;
import java.util.List;

/**
 * Registered resources: beforeCheckpoint in the reverse order of registration, afterRestore
 * in registration order (CRaC's global context order). The first exception stops the run
 * and is thrown to the runtime, which reports it.
 */
public class Context<R extends Resource> implements Resource {
    private final List<R> resources = new ArrayList<>();

    public synchronized void register(R resource) {
        resources.add(resource);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) throws Exception {
        List<R> copy;
        synchronized (this) {
            copy = new ArrayList<>(resources);
        }
        for (int i = copy.size() - 1; i >= 0; i--) copy.get(i).beforeCheckpoint(this);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) throws Exception {
        List<R> copy;
        synchronized (this) {
            copy = new ArrayList<>(resources);
        }
        for (R r : copy) r.afterRestore(this);
    }
}
