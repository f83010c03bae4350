package dev.stagehand.common;

/**
 * The caller asked for something that can never work: HTTP 400 with this one-line message, and
 * nothing was queued. The only exception the HTTP layer blames on the caller; build it with
 * {@link CallerText} when it quotes what the caller sent.
 */
public final class InvalidRequest extends RuntimeException {
    public InvalidRequest(String message) {
        super(message);
    }
}
