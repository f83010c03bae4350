package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.JOB;

import dev.stagehand.bench.BenchReport;
import dev.stagehand.db.Database;
import dev.stagehand.testing.TestDb;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import dev.stagehand.db.types.JobState;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * 10,000 no-op jobs through the queue (Quartz + H2): throughput and enqueue-to-start latency.
 * Baseline, in the same run: bare Quartz with our scheduler settings on the same kind of
 * database, firing 10,000 no-op Quartz jobs, which is the ceiling for one Quartz job per row.
 */
@Tag("benchmark")
class QueueBenchmark {
    static final int JOBS = Integer.getInteger("bench.jobs", 10_000);
    /** Concurrent callers enqueueing, as HTTP requests would. */
    static final int CALLERS = Integer.getInteger("bench.callers", 8);
    /** Quartz threads; Quartz fetches and fires up to this many triggers per transaction. */
    static final int WORKERS = Integer.getInteger("bench.workers", 4);

    @TempDir Path dir;

    @Test
    void tenThousandNoOpJobs() throws Exception {
        double bareQuartz = bareQuartzRate(dir.resolve("baseline"));
        try (Database db = TestDb.open(dir.resolve("queue"));
             JobQueue queue = new JobQueue(db, new QueueConfig(WORKERS, RetryPolicy.DEFAULT, Duration.ofMillis(200)), run -> {},
                     Clock.systemUTC())) {
            queue.start();
            long build = queue.builds().id("gs://bench/target/R1", "target/R1");
            List<CompletableFuture<Void>> done = Collections.synchronizedList(new ArrayList<>(JOBS));
            long start = System.nanoTime();
            double enqueueSeconds = fromCallers(n -> done.add(queue.awaitRequest(queue.submit(build,
                    List.of(new JobSpec("file:f" + n, true, null)), "", "f" + n, artifact -> false).requestId())));
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
            double rate = JOBS / ((System.nanoTime() - start) / 1e9);
            List<Long> latencies = db.dsl().select(JOB.CREATED_AT, JOB.STARTED_AT).from(JOB).fetch()
                    .map(r -> Duration.between(r.value1(), r.value2()).toMillis());
            long succeeded = db.dsl().fetchCount(JOB, JOB.STATE.eq(JobState.SUCCEEDED));
            BenchReport.line("queue: %d/%d no-op jobs (%d callers, %d workers): %.0f jobs/s (enqueue alone %.0f jobs/s); "
                    + "baseline bare Quartz %.0f jobs/s -> ratio %.2f", succeeded, JOBS, CALLERS, WORKERS, rate,
                    JOBS / enqueueSeconds, bareQuartz, rate / bareQuartz);
            BenchReport.line("queue: enqueue-to-start latency p50 %.0f ms, p99 %.0f ms",
                    BenchReport.percentile(latencies, 50), BenchReport.percentile(latencies, 99));
        }
    }

    /** Calls {@code submit} with 0..JOBS-1 from CALLERS threads; returns the seconds it took. */
    private static double fromCallers(IntConsumer submit) throws InterruptedException {
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        long start = System.nanoTime();
        for (int i = 0; i < JOBS; i++) {
            int n = i;
            callers.execute(() -> submit.accept(n));
        }
        callers.shutdown();
        callers.awaitTermination(30, TimeUnit.MINUTES);
        return (System.nanoTime() - start) / 1e9;
    }

    static volatile CountDownLatch bareJobsLeft;

    /** A Quartz job that does nothing but count down. */
    public static final class NoOp implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            bareJobsLeft.countDown();
        }
    }

    /** JOBS no-op Quartz jobs, one job + trigger each, through our Quartz settings: jobs/s. */
    private static double bareQuartzRate(Path dir) throws Exception {
        bareJobsLeft = new CountDownLatch(JOBS);
        try (Database db = TestDb.open(dir)) {
            String source = "bench-" + System.nanoTime();
            DBConnectionManager.getInstance().addConnectionProvider(source, new ConnectionProvider() {
                @Override
                public java.sql.Connection getConnection() throws java.sql.SQLException {
                    return db.dataSource().getConnection();
                }

                @Override
                public void shutdown() {}

                @Override
                public void initialize() {}
            });
            Scheduler scheduler = new StdSchedulerFactory(QuartzWorkers.properties(db.vendor(), WORKERS, source, "bench-node")).getScheduler();
            scheduler.start();
            long start = System.nanoTime();
            fromCallers(n -> {
                JobDetail job = JobBuilder.newJob(NoOp.class).withIdentity("j" + n).requestRecovery(true).build();
                Trigger trigger = TriggerBuilder.newTrigger().forJob(job).startNow()
                        .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionIgnoreMisfires()).build();
                try {
                    scheduler.scheduleJob(job, trigger);
                } catch (SchedulerException e) {
                    throw new IllegalStateException(e);
                }
            });
            bareJobsLeft.await(30, TimeUnit.MINUTES);
            double rate = JOBS / ((System.nanoTime() - start) / 1e9);
            scheduler.shutdown(true);
            return rate;
        }
    }
}
