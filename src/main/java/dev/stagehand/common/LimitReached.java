package dev.stagehand.common;

import java.time.Duration;

/**
 * A request goes past one of the limits on what a caller may cost (HTTP 429 with
 * {@code Retry-After} and this one line); nothing of it was queued. {@code limit} names the flag.
 */
public final class LimitReached extends RuntimeException {
    private final String limit;
    private final Duration retryAfter;

    public LimitReached(String limit, String message, Duration retryAfter) {
        super(message);
        this.limit = limit;
        this.retryAfter = retryAfter;
    }

    /** The flag that sets the limit, e.g. {@code --max-active-jobs}. */
    public String limit() {
        return limit;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
