package dev.stagehand.metrics;

import dev.stagehand.db.types.AttemptOutcome;
import dev.stagehand.db.types.JobState;
import dev.stagehand.queue.JobView;
import dev.stagehand.queue.Ledger;
import dev.stagehand.queue.QueueEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The queue as meters: jobs by state (read from the ledger, at most once a second however often
 * it is scraped), attempts by outcome, how long jobs wait for a worker, and how long staging an
 * artifact takes from request to success.
 */
public final class QueueMetrics implements MeterBinder, QueueEvents {
    private static final long STATE_CACHE_MS = 1000;

    private final Ledger ledger;
    private final Clock clock;
    private MeterRegistry registry;
    private Timer queueWait;
    private volatile Map<JobState, Integer> states = Map.of();
    private volatile long statesReadAt;

    public QueueMetrics(Ledger ledger, Clock clock) {
        this.ledger = ledger;
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        for (JobState state : JobState.values()) {
            Gauge.builder("stagehand_jobs", () -> count(state)).tag("state", state.name())
                    .description("Jobs in each state now").register(registry);
        }
        for (AttemptOutcome outcome : AttemptOutcome.values()) {
            if (outcome != AttemptOutcome.RUNNING) { // RUNNING is no end: it is never counted
                attempts(outcome); // every outcome shows from the start, at zero
            }
        }
        queueWait = Timer.builder("stagehand_queue_wait").description("From when a job was due to when a worker claimed it")
                .publishPercentileHistogram().register(registry);
    }

    private double count(JobState state) {
        long now = clock.millis();
        if (now - statesReadAt > STATE_CACHE_MS || now < statesReadAt) {
            states = ledger.countByState();
            statesReadAt = now;
        }
        return states.getOrDefault(state, 0);
    }

    private Counter attempts(AttemptOutcome outcome) {
        return Counter.builder("stagehand_job_attempts").tag("outcome", outcome.name())
                .description("Attempts that ended, by how they ended").register(registry);
    }

    @Override
    public void attemptStarted(JobView job, int attempt) {
        Instant due = job.nextAttemptAt() != null && job.nextAttemptAt().isAfter(job.createdAt()) ? job.nextAttemptAt() : job.createdAt();
        queueWait.record(positive(Duration.between(due, clock.instant())));
    }

    @Override
    public void attemptEnded(JobView job, int attempt, AttemptOutcome outcome, Duration took, String error) {
        attempts(outcome).increment();
        if (outcome == AttemptOutcome.SUCCEEDED) {
            Timer.builder("stagehand_stage_duration").tag("artifact", artifactLabel(job.artifact()))
                    .description("From the request that created the job to its success")
                    .publishPercentileHistogram().register(registry)
                    .record(positive(Duration.between(job.createdAt(), clock.instant())));
        }
    }

    @Override
    public void attemptsAbandoned(int count) {
        attempts(AttemptOutcome.ABANDONED).increment(count);
    }

    @Override
    public void startStep(String step, Duration took) {
        Timer.builder("stagehand_job_start_step").tag("step", step)
                .description("A new job's way to its first byte at a reader, step by step: each step's time since the one before")
                .register(registry).record(positive(took));
    }

    /** Catalogue artifacts by name; named files (unbounded) as one label. */
    private static String artifactLabel(String artifact) {
        return artifact.startsWith("file:") ? "file" : artifact;
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
