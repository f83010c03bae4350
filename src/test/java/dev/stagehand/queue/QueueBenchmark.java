package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.JOB;

import dev.stagehand.bench.BenchReport;
import dev.stagehand.db.Database;
import dev.stagehand.db.types.JobState;
import dev.stagehand.testing.TestDb;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * No-op jobs through the queue: throughput and enqueue-to-start latency, on embedded H2, on
 * PostgreSQL, and with two nodes sharing PostgreSQL. Baseline for each, in the same run: bare
 * Quartz with our scheduler settings on the same database (clustered on PostgreSQL, as many
 * schedulers as nodes), firing as many no-op Quartz jobs: the ceiling for one Quartz job per row.
 * {@code -Dbench.jobs}, {@code -Dbench.queueRounds}, {@code -Dbench.callers} and {@code -Dbench.workers} change the load.
 */
@Tag("benchmark")
class QueueBenchmark {
    static final int JOBS = Integer.getInteger("bench.jobs", 5_000);
    static final int ROUNDS = Integer.getInteger("bench.queueRounds", 3);
    static final int WARM_UP_JOBS = 2_000;
    /** Concurrent callers enqueueing, as HTTP requests would. */
    static final int CALLERS = Integer.getInteger("bench.callers", 8);
    /** Quartz threads per node; Quartz fetches and fires up to this many triggers per transaction. */
    static final int WORKERS = Integer.getInteger("bench.workers", 4);

    @TempDir Path dir;

    record Figures(long done, double jobsPerSecond, double p50Ms, double p99Ms) {}

    @Test
    void noOpJobsOnH2() throws Exception {
        compare("H2, 1 node", false, 1);
    }

    @Test
    void noOpJobsOnPostgresql() throws Exception {
        compare("PostgreSQL, 1 node", true, 1);
    }

    @Test
    void noOpJobsOnPostgresqlWithTwoNodes() throws Exception {
        compare("PostgreSQL, 2 nodes", true, 2);
    }

    /**
     * A warm-up pair (both sides compiled, as in a server that has run a while), then paired
     * rounds, baseline then ours, each on a new database: this host's speed drifts by a third
     * within minutes. The ratio reported is the median of the rounds' ratios.
     */
    private void compare(String setup, boolean postgres, int nodes) throws Exception {
        bareQuartz(dir.resolve("baseline-warm-up"), postgres, nodes, WARM_UP_JOBS);
        stagehand(dir.resolve("queue-warm-up"), postgres, nodes, WARM_UP_JOBS);
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            Figures bare = bareQuartz(dir.resolve("baseline-" + round), postgres, nodes, JOBS);
            Figures ours = stagehand(dir.resolve("queue-" + round), postgres, nodes, JOBS);
            ratios.add(ours.jobsPerSecond() / bare.jobsPerSecond());
            BenchReport.line("queue (%s), round %d of %d: %d/%d no-op jobs (%d callers, %d workers per node): %.0f jobs/s; baseline"
                    + " bare Quartz %.0f jobs/s -> ratio %.2f", setup, round, ROUNDS, ours.done(), JOBS, CALLERS, WORKERS,
                    ours.jobsPerSecond(), bare.jobsPerSecond(), ratios.get(ratios.size() - 1));
            BenchReport.line("queue (%s), round %d: enqueue-to-start p50 %.0f ms, p99 %.0f ms; bare Quartz p50 %.0f ms, p99 %.0f ms"
                    + " -> p99 ratio %.2f", setup, round, ours.p50Ms(), ours.p99Ms(), bare.p50Ms(), bare.p99Ms(),
                    ours.p99Ms() / Math.max(1, bare.p99Ms()));
        }
        Collections.sort(ratios);
        BenchReport.line("queue (%s): median ratio to bare Quartz over %d paired rounds %.2f (target >= 0.9 on H2); rounds %s",
                setup, ROUNDS, BenchReport.median(ratios), ratios.stream().map(r -> String.format("%.2f", r)).toList());
    }

    private static Figures stagehand(Path dir, boolean postgres, int nodes, int jobs) throws Exception {
        List<Database> pools = new ArrayList<>();
        List<JobQueue> queues = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) { // each node with its own connection pool, as in its own process
                pools.add(TestDb.open(dir, postgres));
                // the caller limits are another matter: every job here is of one build
                JobQueue queue = new JobQueue(pools.get(i), new QueueConfig(WORKERS, RetryPolicy.DEFAULT, Duration.ofMillis(200))
                        .withLimits(new dev.stagehand.common.CallerLimits(200, jobs, jobs, jobs)), run -> {}, Clock.systemUTC());
                queue.start();
                queues.add(queue);
            }
            long build = queues.get(0).buildLedger().copyId("gs://bench/target/R1", "target/R1", "");
            List<CompletableFuture<?>> done = Collections.synchronizedList(new ArrayList<>(jobs));
            long start = System.nanoTime();
            fromCallers(jobs, n -> {
                JobQueue queue = queues.get(n % nodes); // callers spread over the nodes, as behind one name
                done.add(queue.awaitRequest(queue.submit(build, List.of(new JobSpec("file:f" + n, true, null)), "", "f" + n,
                        artifact -> false).requestId()));
            });
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
            double rate = jobs / ((System.nanoTime() - start) / 1e9);
            var db = pools.get(0).dsl();
            List<Long> latencies = db.select(JOB.CREATED_AT, JOB.STARTED_AT).from(JOB).fetch()
                    .map(r -> Duration.between(r.value1(), r.value2()).toMillis());
            long succeeded = db.fetchCount(JOB, JOB.STATE.eq(JobState.SUCCEEDED));
            return new Figures(succeeded, rate, BenchReport.percentile(latencies, 50), BenchReport.percentile(latencies, 99));
        } finally {
            queues.forEach(JobQueue::close);
            pools.forEach(Database::close);
        }
    }

    /** Calls {@code submit} with 0..jobs-1 from CALLERS threads. */
    private static void fromCallers(int jobs, IntConsumer submit) throws InterruptedException {
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        for (int i = 0; i < jobs; i++) {
            int n = i;
            callers.execute(() -> submit.accept(n));
        }
        callers.shutdown();
        callers.awaitTermination(30, TimeUnit.MINUTES);
    }

    static volatile CountDownLatch bareJobsLeft;
    static volatile long[] bareEnqueuedAt;
    static volatile long[] bareStartedAt;

    /** A Quartz job that notes when it started and counts down. */
    public static final class NoOp implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            bareStartedAt[context.getMergedJobDataMap().getInt("n")] = System.nanoTime();
            bareJobsLeft.countDown();
        }
    }

    /** {@code jobs} no-op Quartz jobs, one job + trigger each, through our Quartz settings on {@code nodes} schedulers. */
    private static Figures bareQuartz(Path dir, boolean postgres, int nodes, int jobs) throws Exception {
        bareJobsLeft = new CountDownLatch(jobs);
        bareEnqueuedAt = new long[jobs];
        bareStartedAt = new long[jobs];
        List<Database> pools = new ArrayList<>();
        try {
            List<Scheduler> schedulers = new ArrayList<>();
            for (int i = 0; i < nodes; i++) { // each scheduler with its own connection pool, as stagehand's nodes
                Database db = TestDb.open(dir, postgres);
                pools.add(db);
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
                Scheduler scheduler = new StdSchedulerFactory(QuartzWorkers.properties(db.vendor(), WORKERS, source, "bench-node-" + i))
                        .getScheduler();
                SchedulerRepository.getInstance().remove(QuartzWorkers.SCHEDULER_NAME); // one per node in this JVM
                scheduler.start();
                schedulers.add(scheduler);
            }
            long start = System.nanoTime();
            fromCallers(jobs, n -> {
                JobDetail job = JobBuilder.newJob(NoOp.class).withIdentity("j" + n).usingJobData("n", n).requestRecovery(true).build();
                Trigger trigger = TriggerBuilder.newTrigger().forJob(job).startNow()
                        .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionIgnoreMisfires()).build();
                try {
                    bareEnqueuedAt[n] = System.nanoTime();
                    schedulers.get(n % nodes).scheduleJob(job, trigger);
                } catch (SchedulerException e) {
                    throw new IllegalStateException(e);
                }
            });
            bareJobsLeft.await(30, TimeUnit.MINUTES);
            double rate = jobs / ((System.nanoTime() - start) / 1e9);
            for (Scheduler scheduler : schedulers) {
                scheduler.shutdown(true);
            }
            List<Long> latencies = new ArrayList<>(jobs);
            for (int n = 0; n < jobs; n++) {
                latencies.add((bareStartedAt[n] - bareEnqueuedAt[n]) / 1_000_000);
            }
            return new Figures(jobs - bareJobsLeft.getCount(), rate, BenchReport.percentile(latencies, 50),
                    BenchReport.percentile(latencies, 99));
        } finally {
            pools.forEach(Database::close);
        }
    }
}
