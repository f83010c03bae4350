package dev.stagehand.queue;

/** A failure that no retry can fix: unknown artifact, corrupt or hostile archive, object gone. */
public class PermanentFailure extends Exception {
    public PermanentFailure(String message) {
        super(message);
    }

    public PermanentFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
