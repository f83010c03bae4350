package dev.stagehand.queue;

import java.time.Instant;

/**
 * The job cannot start yet (its artifact is still being uploaded): the worker is released, the
 * job waits in WAITING_UPLOAD without using up an attempt, and runs again at {@code recheckAt}.
 * The handler decides when waiting is over and fails the job itself.
 */
public final class NotReadyYet extends Exception {
    private final Instant recheckAt;

    public NotReadyYet(String reason, Instant recheckAt) {
        super(reason);
        this.recheckAt = recheckAt;
    }

    public Instant recheckAt() {
        return recheckAt;
    }
}
