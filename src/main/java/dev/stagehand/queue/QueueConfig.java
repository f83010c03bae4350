package dev.stagehand.queue;

import java.time.Duration;

/** How many workers run jobs, how failures are retried, and how often waiters poll the database. */
public record QueueConfig(int workers, RetryPolicy retry, Duration waiterPollInterval) {
    public static QueueConfig defaults() {
        return new QueueConfig(4, RetryPolicy.DEFAULT, Duration.ofMillis(500));
    }
}
