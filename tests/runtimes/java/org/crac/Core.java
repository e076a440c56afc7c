package org.crac;

/** Core.getGlobalContext(): where handlers register their SnapStart resources. */
public final class Core {
    private static final Context<Resource> GLOBAL = new Context<>();

    private Core() {}

    public static Context<Resource> getGlobalContext() {
        return GLOBAL;
    }
}
