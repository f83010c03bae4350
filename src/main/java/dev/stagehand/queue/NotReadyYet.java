package dev.stagehand.queue;

/**
 * The job cannot start yet (its artifact is still being uploaded): the worker is released, and
 * the job waits in WAITING_UPLOAD without using up an attempt and without a trigger, until
 * {@link WatchUploads} sees its artifact in the archive or its deadline pass. The handler decides
 * when waiting is over and fails the job itself.
 */
public final class NotReadyYet extends Exception {
    public NotReadyYet(String reason) {
        super(reason);
    }
}
