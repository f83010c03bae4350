package dev.stagehand.queue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long a new job takes to get going, step by step, from its request's commit to its first
 * byte at a reader: committed, fired (a worker took it), claimed, then the handler's own steps
 * ({@link JobRun#mark}). Each step's time since the one before goes to {@link QueueEvents#startStep};
 * only a job's first attempt is traced, and only on the node that recorded it.
 */
final class StartSteps {
    /** A job's last step and when (nanoTime), while it is being traced. */
    private record Last(String step, long at) {}

    private final Map<Long, Last> traced = new ConcurrentHashMap<>();
    private volatile QueueEvents events = QueueEvents.NONE;

    void reportTo(QueueEvents events) {
        this.events = events;
    }

    /** The job's request committed: the trace starts. */
    void committed(long jobId) {
        traced.put(jobId, new Last("committed", System.nanoTime()));
    }

    /** The job reached {@code step}; a job not being traced is left alone. The last step ends the trace. */
    void reached(long jobId, String step, boolean last) {
        Last before = last ? traced.remove(jobId) : traced.get(jobId);
        if (before == null) {
            return;
        }
        long now = System.nanoTime();
        if (!last) {
            traced.put(jobId, new Last(step, now));
        }
        events.startStep(step, Duration.ofNanos(now - before.at()));
    }

    /** The job ended before its trace did (failed, or waits for its upload): forget it. */
    void forget(long jobId) {
        traced.remove(jobId);
    }
}
