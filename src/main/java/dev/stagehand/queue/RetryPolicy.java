package dev.stagehand.queue;

import java.time.Duration;

/**
 * Exponential backoff with jitter. The jitter only shortens a delay by up to 20%, so with a
 * factor of 1.25 or more each delay still exceeds the one before (until the cap).
 */
public record RetryPolicy(Duration baseDelay, double factor, Duration maxDelay, int maxAttempts) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(2), 2.0, Duration.ofMinutes(5), 5);

    public RetryPolicy {
        if (maxAttempts < 1 || factor < 1.0 || baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("invalid retry policy " + baseDelay + " x" + factor + " cap " + maxDelay);
        }
    }

    /**
     * Delay before the next attempt, after {@code failedAttempts} attempts have failed (1-based);
     * {@code jitter} in [0, 1) is drawn by the caller (seedable in tests): 0 shortens by 20%, 1 not at all.
     */
    public Duration delayAfter(int failedAttempts, double jitter) {
        double raw = baseDelay.toMillis() * Math.pow(factor, Math.max(0, failedAttempts - 1));
        double capped = Math.min(raw, maxDelay.toMillis());
        double jittered = capped * (0.8 + 0.2 * jitter);
        return Duration.ofMillis(Math.round(jittered));
    }
}
