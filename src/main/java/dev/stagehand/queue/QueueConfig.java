package dev.stagehand.queue;

import java.time.Duration;

/**
 * How many workers run jobs, how failures are retried, how often waiters poll the database, how
 * long history is kept, and how often it is pruned.
 */
public record QueueConfig(int workers, RetryPolicy retry, Duration waiterPollInterval, Duration keepHistory,
        Duration pruneEvery) {
    public static final Duration DEFAULT_HISTORY = Duration.ofDays(30);
    public static final Duration DEFAULT_PRUNE_EVERY = Duration.ofHours(1);

    public QueueConfig(int workers, RetryPolicy retry, Duration waiterPollInterval) {
        this(workers, retry, waiterPollInterval, DEFAULT_HISTORY, DEFAULT_PRUNE_EVERY);
    }

    public static QueueConfig defaults() {
        return new QueueConfig(4, RetryPolicy.DEFAULT, Duration.ofMillis(500));
    }
}
