package org.crac;

/**
 * A SnapStart participant, with the names of the CRaC API that AWS's Java runtime drives
 * (org.crac): beforeCheckpoint runs before the snapshot, afterRestore after the restore.
 * The test runtime's own small equivalent, not CRaC's code.
 */
public interface Resource {
    void beforeCheckpoint(Context<? extends Resource> context) throws Exception;

    void afterRestore(Context<? extends Resource> context) throws Exception;
}
