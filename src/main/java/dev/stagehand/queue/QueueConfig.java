package dev.stagehand.queue;

import dev.stagehand.common.CallerLimits;
import java.time.Duration;

/**
 * How many workers run jobs, how failures are retried, how often waiters poll the database, how
 * long history is kept and how often it is pruned, and after how long without a check-in a node
 * sharing the database is taken for dead (its jobs go to the others), what callers may cost, and
 * where builds are placed.
 */
public record QueueConfig(int workers, RetryPolicy retry, Duration waiterPollInterval, Duration keepHistory,
        Duration pruneEvery, Duration nodeTimeout, CallerLimits limits, Placement placement) {
    public static final Duration DEFAULT_HISTORY = Duration.ofDays(30);
    public static final Duration DEFAULT_PRUNE_EVERY = Duration.ofHours(1);
    public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofSeconds(20);

    public QueueConfig(int workers, RetryPolicy retry, Duration waiterPollInterval) {
        this(workers, retry, waiterPollInterval, DEFAULT_HISTORY, DEFAULT_PRUNE_EVERY, DEFAULT_NODE_TIMEOUT, CallerLimits.DEFAULTS, Placement.SHARED);
    }

    public QueueConfig withNodeTimeout(Duration timeout) {
        return new QueueConfig(workers, retry, waiterPollInterval, keepHistory, pruneEvery, timeout, limits, placement);
    }

    public QueueConfig withLimits(CallerLimits l) {
        return new QueueConfig(workers, retry, waiterPollInterval, keepHistory, pruneEvery, nodeTimeout, l, placement);
    }

    public QueueConfig withPlacement(Placement p) {
        return new QueueConfig(workers, retry, waiterPollInterval, keepHistory, pruneEvery, nodeTimeout, limits, p);
    }
}
