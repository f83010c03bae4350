package dev.stagehand.bench;

import static dev.stagehand.db.schema.Tables.JOB;

import dev.stagehand.db.Database;
import dev.stagehand.queue.JobQueue;
import dev.stagehand.queue.JobSpec;
import dev.stagehand.queue.QueueConfig;
import dev.stagehand.queue.RetryPolicy;
import dev.stagehand.queue.StagedCheck;
import dev.stagehand.queue.Submission;
import dev.stagehand.testing.TestDb;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 10,000 no-op jobs through Quartz + H2: throughput and enqueue-to-start latency. */
@Tag("benchmark")
class QueueBenchmark {
    static final int JOBS = 10_000;
    /** Concurrent callers enqueueing, as HTTP requests would. */
    static final int CALLERS = Integer.getInteger("bench.callers", 8);
    /** Quartz threads; Quartz fetches and fires up to this many triggers per transaction. */
    static final int WORKERS = Integer.getInteger("bench.workers", 4);

    @TempDir Path dir;

    @Test
    void tenThousandNoOpJobs() throws Exception {
        double baseline = rawInsertRate(dir.resolve("baseline"));
        try (Database db = TestDb.open(dir.resolve("queue"));
             JobQueue queue = new JobQueue(db, new QueueConfig(WORKERS, RetryPolicy.DEFAULT, Duration.ofMillis(200)), run -> {},
                     Clock.systemUTC())) {
            boolean startFirst = !Boolean.getBoolean("bench.enqueueFirst");
            if (startFirst) {
                queue.start();
            }
            long build = queue.builds().id("gs://bench/target/R1", "target/R1");
            List<Long> ids = java.util.Collections.synchronizedList(new ArrayList<>(JOBS));
            java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(CALLERS);
            long start = System.nanoTime();
            for (int i = 0; i < JOBS; i++) {
                int n = i;
                callers.execute(() -> ids.add(queue.submit(build, List.of(new JobSpec("file:f" + n, true, null)), "", "f" + n,
                        StagedCheck.NEVER).jobIds().get(0)));
            }
            callers.shutdown();
            callers.awaitTermination(30, TimeUnit.MINUTES);
            double enqueueSeconds = (System.nanoTime() - start) / 1e9;
            if (!startFirst) {
                queue.start();
            }
            queue.awaitTerminal(ids).get(30, TimeUnit.MINUTES);
            double totalSeconds = (System.nanoTime() - start) / 1e9;
            List<Long> latencies = db.dsl().select(JOB.CREATED_AT, JOB.STARTED_AT).from(JOB).fetch()
                    .map(r -> Duration.between(r.value1(), r.value2()).toMillis());
            long succeeded = db.dsl().fetchCount(JOB, JOB.STATE.eq("SUCCEEDED"));
            BenchReport.line("queue: %d/%d no-op jobs (" + CALLERS + " callers, " + WORKERS + " workers) succeeded in %.1f s = %.0f jobs/s (enqueue alone %.0f jobs/s); "
                    + "baseline raw H2 inserts %.0f rows/s -> ratio %.3f", succeeded, JOBS, totalSeconds, JOBS / totalSeconds,
                    JOBS / enqueueSeconds, baseline, (JOBS / totalSeconds) / baseline);
            BenchReport.line("queue: enqueue-to-start latency p50 %.0f ms, p99 %.0f ms",
                    BenchReport.percentile(latencies, 50), BenchReport.percentile(latencies, 99));
        }
    }

    /** The same number of single-row autocommit inserts into the job table: the floor for one row per job. */
    private static double rawInsertRate(Path dir) {
        try (Database db = TestDb.open(dir)) {
            long build = db.dsl().insertInto(dev.stagehand.db.schema.Tables.BUILD)
                    .set(dev.stagehand.db.schema.Tables.BUILD.ARCHIVE_URL, "x").set(dev.stagehand.db.schema.Tables.BUILD.BUILD_PATH, "x")
                    .set(dev.stagehand.db.schema.Tables.BUILD.CREATED_AT, java.time.OffsetDateTime.now())
                    .set(dev.stagehand.db.schema.Tables.BUILD.LAST_ACCESS_AT, java.time.OffsetDateTime.now())
                    .returning().fetchOne().getId();
            long start = System.nanoTime();
            for (int i = 0; i < JOBS; i++) {
                db.dsl().insertInto(JOB).set(JOB.BUILD_ID, build).set(JOB.ARTIFACT, "a" + i).set(JOB.STATE, "SUCCEEDED")
                        .set(JOB.REQUIRED, true).set(JOB.ATTEMPTS, 0).set(JOB.MAX_ATTEMPTS, 1).set(JOB.BYTES_DONE, 0L)
                        .set(JOB.CREATED_AT, java.time.OffsetDateTime.now()).execute();
            }
            return JOBS / ((System.nanoTime() - start) / 1e9);
        }
    }
}
