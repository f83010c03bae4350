package dev.stagehand.queue;

import dev.stagehand.db.Database;
import dev.stagehand.testing.TestDb;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A real database and queue for one test, with helpers that read like the scenario. */
final class QueueFixture implements AutoCloseable {
    static final java.util.function.Predicate<String> NOTHING_STAGED = artifact -> false;

    final Database db;
    final JobQueue queue;

    QueueFixture(Path dir, JobHandler handler, RetryPolicy retry) {
        this(dir, handler, retry, 4);
    }

    QueueFixture(Path dir, JobHandler handler, RetryPolicy retry, int workers) {
        this(dir, handler, retry, workers, Clock.systemUTC());
    }

    QueueFixture(Path dir, JobHandler handler, RetryPolicy retry, int workers, Clock clock) {
        this(dir, handler, retry, workers, clock, dev.stagehand.common.CallerLimits.DEFAULTS);
    }

    QueueFixture(Path dir, JobHandler handler, RetryPolicy retry, int workers, Clock clock, dev.stagehand.common.CallerLimits limits) {
        this(dir, handler, retry, workers, clock, limits, Placement.SHARED);
    }

    /** A node with hashed placement, reached (by name only: nothing here calls it) at {@code advertiseUrl}. */
    QueueFixture(Path dir, JobHandler handler, String advertiseUrl) {
        this(dir, handler, fastRetry(3), 4, Clock.systemUTC(), dev.stagehand.common.CallerLimits.DEFAULTS,
                Placement.hashed(advertiseUrl, false));
    }

    private QueueFixture(Path dir, JobHandler handler, RetryPolicy retry, int workers, Clock clock,
            dev.stagehand.common.CallerLimits limits, Placement placement) {
        db = TestDb.open(dir);
        queue = new JobQueue(db, new QueueConfig(workers, retry, Duration.ofMillis(100)).withNodeTimeout(Duration.ofSeconds(4))
                .withLimits(limits).withPlacement(placement), handler, clock);
    }

    static RetryPolicy fastRetry(int maxAttempts) {
        return new RetryPolicy(Duration.ofMillis(200), 2.0, Duration.ofSeconds(5), maxAttempts);
    }

    long build(String name) {
        return queue.buildLedger().copyId("gs://bucket/target/" + name, "target/" + name, queue.homes().self());
    }

    Submission submit(long buildId, String... artifacts) {
        List<JobSpec> specs = java.util.Arrays.stream(artifacts).map(a -> new JobSpec(a, true, null)).toList();
        return queue.submit(buildId, specs, String.join(",", artifacts), "", NOTHING_STAGED);
    }

    /** Waits for the request's outcome; returns its first job. */
    JobView awaitEnd(Submission s) throws Exception {
        awaitAll(List.of(s));
        return job(s.jobIds().get(0));
    }

    void awaitAll(List<Submission> submissions) throws Exception {
        CompletableFuture.allOf(submissions.stream().map(s -> queue.awaitRequest(s.requestId()))
                .toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    /** Rows of the job in one of Quartz's tables ({@code QRTZ_TRIGGERS}, {@code QRTZ_FIRED_TRIGGERS}), whatever their state. */
    int quartzRows(String table, long jobId) {
        return db.dsl().fetchCount(org.jooq.impl.DSL.table(org.jooq.impl.DSL.name(table)),
                org.jooq.impl.DSL.field(org.jooq.impl.DSL.name("JOB_NAME")).eq(Long.toString(jobId)));
    }

    JobView job(long id) {
        return queue.ledger().job(id).orElseThrow();
    }

    RequestView request(long id) {
        return queue.ledger().request(id).orElseThrow();
    }

    List<AttemptView> attempts(long jobId) {
        return queue.ledger().attempts(jobId);
    }

    @Override
    public void close() {
        queue.close();
        db.close();
    }
}
