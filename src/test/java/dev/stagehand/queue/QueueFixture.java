package dev.stagehand.queue;

import dev.stagehand.db.Database;
import dev.stagehand.testing.TestDb;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** A real database and queue for one test, with helpers that read like the scenario. */
final class QueueFixture implements AutoCloseable {
    final Database db;
    final JobQueue queue;

    QueueFixture(Path dir, JobHandler handler, RetryPolicy retry) {
        db = TestDb.open(dir);
        queue = new JobQueue(db, new QueueConfig(4, retry, Duration.ofMillis(100)), handler, Clock.systemUTC());
    }

    static RetryPolicy fastRetry(int maxAttempts) {
        return new RetryPolicy(Duration.ofMillis(200), 2.0, Duration.ofSeconds(5), maxAttempts);
    }

    long build(String name) {
        return queue.builds().id("gs://bucket/target/" + name, "target/" + name);
    }

    Submission submit(long buildId, String... artifacts) {
        List<JobSpec> specs = java.util.Arrays.stream(artifacts).map(a -> new JobSpec(a, true, null)).toList();
        return queue.submit(buildId, specs, String.join(",", artifacts), "", StagedCheck.NEVER);
    }

    JobRecordView awaitEnd(Submission s) throws Exception {
        queue.awaitTerminal(s.jobIds()).get(60, java.util.concurrent.TimeUnit.SECONDS);
        return queue.jobs().find(s.jobIds().get(0)).orElseThrow();
    }

    List<org.jooq.Record> attempts(long jobId) {
        return db.dsl().selectFrom(dev.stagehand.db.schema.Tables.JOB_ATTEMPT)
                .where(dev.stagehand.db.schema.Tables.JOB_ATTEMPT.JOB_ID.eq(jobId))
                .orderBy(dev.stagehand.db.schema.Tables.JOB_ATTEMPT.ATTEMPT_NO).fetch().stream()
                .map(r -> (org.jooq.Record) r).toList();
    }

    @Override
    public void close() {
        queue.close();
        db.close();
    }
}
