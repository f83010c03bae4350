package dev.stagehand.staging;

/** The caller asked for something that can never work (HTTP 400); nothing was queued. */
public final class InvalidRequest extends IllegalArgumentException {
    public InvalidRequest(String message) {
        super(message);
    }
}
