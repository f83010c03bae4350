package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.STAGE_REQUEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.db.types.AttemptOutcome;
import dev.stagehand.db.types.JobState;
import dev.stagehand.db.types.RequestOutcome;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.MutableClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class JobQueueTest {
    @TempDir Path dir;

    @Test
    void fiftyThreadsEnqueueingTheSameArtifactMakeOneJobThatRunsOnce() throws Exception {
        AtomicInteger executions = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        try (QueueFixture f = new QueueFixture(dir, run -> {
            executions.incrementAndGet();
            release.await(60, TimeUnit.SECONDS); // held running until every caller has attached
        }, QueueFixture.fastRetry(3))) {
            f.queue.start();
            long build = f.build("R1-1.0.0");
            ExecutorService pool = Executors.newFixedThreadPool(50);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Submission>> submissions = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                submissions.add(pool.submit(() -> {
                    go.await();
                    return f.submit(build, "autotest");
                }));
            }
            go.countDown();
            Set<Long> jobIds = ConcurrentHashMap.newKeySet();
            for (Future<Submission> s : submissions) {
                jobIds.addAll(s.get(60, TimeUnit.SECONDS).jobIds());
            }
            pool.shutdown();
            release.countDown();
            assertEquals(1, jobIds.size(), "every caller attached to the same job");
            List<Submission> all = new ArrayList<>();
            for (Future<Submission> s : submissions) {
                all.add(s.get());
            }
            f.awaitAll(all);
            assertEquals(1, f.db.dsl().fetchCount(JOB), "one job row");
            assertEquals(1, executions.get(), "one execution");
            assertEquals(JobState.SUCCEEDED, f.job(jobIds.iterator().next()).state());
            assertEquals(50, f.db.dsl().fetchCount(STAGE_REQUEST, STAGE_REQUEST.OUTCOME.eq(RequestOutcome.SUCCEEDED)));
        }
    }

    @Test
    void aJobFailingTwiceThenSucceedingWaitsEachBackoffOnTheClockAndRecordsThreeAttempts() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        MutableClock clock = new MutableClock();
        clock.freeze();
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(10), 2.0, Duration.ofMinutes(5), 5);
        try (QueueFixture f = new QueueFixture(dir, run -> {
            if (calls.incrementAndGet() <= 2) {
                throw new java.io.IOException("transient failure " + calls.get());
            }
        }, policy, 1, clock)) {
            f.queue.seedRetryJitter(7);
            java.util.Random jitter = new java.util.Random(7); // the same draws, to know the delays
            f.queue.startManual();
            Submission s = f.submit(f.build("R1-1.0.1"), "stateful");
            long id = s.jobIds().get(0);
            for (int failed = 1; failed <= 2; failed++) {
                Instant failedAt = clock.instant();
                assertEquals(1, f.queue.runDue(), "attempt " + failed + " runs");
                JobView waiting = f.job(id);
                assertEquals(JobState.RETRY_WAIT, waiting.state());
                Duration backoff = policy.delayAfter(failed, jitter.nextDouble());
                assertEquals(failedAt.plus(backoff), waiting.nextAttemptAt(), "planned after its backoff");
                clock.advance(backoff.minusMillis(1));
                assertEquals(0, f.queue.runDue(), "not due a millisecond early");
                clock.advance(Duration.ofMillis(1));
            }
            assertEquals(1, f.queue.runDue());
            JobView job = f.job(id);
            assertEquals(JobState.SUCCEEDED, job.state());
            assertEquals(3, job.attempts());
            List<AttemptView> attempts = f.attempts(job.id());
            assertEquals(List.of(AttemptOutcome.RETRY, AttemptOutcome.RETRY, AttemptOutcome.SUCCEEDED),
                    attempts.stream().map(AttemptView::outcome).toList());
            assertEquals("transient failure 1", attempts.get(0).error());
            assertEquals(RequestOutcome.SUCCEEDED, f.request(s.requestId()).outcome());
        }
    }

    @Test
    void aJobThatAlwaysFailsEndsFailedAfterMaxAttemptsKeepingTheLastError() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        MutableClock clock = new MutableClock();
        clock.freeze();
        try (QueueFixture f = new QueueFixture(dir, run -> {
            throw new java.io.IOException("boom " + calls.incrementAndGet());
        }, QueueFixture.fastRetry(3), 1, clock)) {
            f.queue.startManual();
            long id = f.submit(f.build("R1-1.0.2"), "stateful").jobIds().get(0);
            while (JobStates.isActive(f.job(id).state())) {
                f.queue.runDue();
                clock.advance(Duration.ofMinutes(1)); // past any backoff
            }
            JobView job = f.job(id);
            assertEquals(JobState.FAILED, job.state());
            assertEquals(3, job.attempts());
            assertTrue(job.lastError().startsWith("boom 3") && job.lastError().contains("gave up after 3 attempts"), job.lastError());
            assertEquals(3, f.attempts(job.id()).size());
            assertEquals(3, calls.get());
        }
    }

    @Test
    void aNonRetryableErrorFailsAtOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (QueueFixture f = new QueueFixture(dir, run -> {
            calls.incrementAndGet();
            throw new PermanentFailure("unknown artifact nope");
        }, QueueFixture.fastRetry(5))) {
            f.queue.start();
            JobView job = f.awaitEnd(f.submit(f.build("R1-1.0.3"), "nope"));
            assertEquals(JobState.FAILED, job.state());
            assertEquals(1, job.attempts());
            assertEquals("unknown artifact nope", job.lastError());
            assertEquals(1, calls.get());
        }
    }

    /** The start runs a first request's statements (LedgerWarmUp) and rolls them back: no row stays, and real work follows. */
    @Test
    void theStartsWarmUpOfTheLedgerLeavesNoRow() throws Exception {
        try (QueueFixture f = new QueueFixture(dir, run -> {}, QueueFixture.fastRetry(3))) {
            f.queue.start();
            assertTrue(f.queue.ledgerWarmed(), "the warm-up ran to its rollback");
            for (org.jooq.Table<?> table : List.of(dev.stagehand.db.schema.Tables.BUILD, STAGE_REQUEST, JOB,
                    dev.stagehand.db.schema.Tables.JOB_ATTEMPT, dev.stagehand.db.schema.Tables.REQUEST_JOB)) {
                assertEquals(0, f.db.dsl().fetchCount(table), "rows left in " + table.getName());
            }
            assertEquals(JobState.SUCCEEDED, f.awaitEnd(f.submit(f.build("R1-1.0.8"), "autotest")).state());
        }
    }

    /**
     * A job that starts the moment its request commits needs no Quartz trigger (its row is what a
     * crash leaves, CrashRecoveryTest). One that finds every worker busy waits in memory for the
     * next free one, alone on an embedded database, and reconciliation leaves it so; sharing a
     * database it gets a trigger (an idle node may take it) and runs when Quartz fires it. An
     * optional job always gets a trigger.
     */
    @Test
    void aJobStartedAtOnceHasNoTriggerAndOneFindingEveryWorkerBusyWaitsInMemoryWhenAlone() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstRunning = new CountDownLatch(1);
        try (QueueFixture f = new QueueFixture(dir, run -> {
            firstRunning.countDown();
            release.await(60, TimeUnit.SECONDS);
        }, QueueFixture.fastRetry(3), 1)) {
            f.queue.start();
            boolean alone = !f.db.vendor().clustered();
            long build = f.build("R1-1.0.9");
            Submission first = f.submit(build, "autotest");
            assertTrue(firstRunning.await(30, TimeUnit.SECONDS), "the first job started");
            Submission second = f.submit(build, "full_payload");
            Submission optional = f.queue.submit(build, List.of(new JobSpec("test_suites", false, null)), "test_suites", "",
                    QueueFixture.NOTHING_STAGED);
            long firstJob = first.jobIds().get(0);
            long secondJob = second.jobIds().get(0);
            long optionalJob = optional.jobIds().get(0);
            // The batches' triggers are added by the recorder's thread, in order: once the last
            // job's is there, any for the others would be too.
            Eventually.await(Duration.ofSeconds(10), "the optional job's trigger", () -> f.quartzRows("QRTZ_TRIGGERS", optionalJob) == 1);
            assertEquals(0, f.quartzRows("QRTZ_TRIGGERS", firstJob) + f.quartzRows("QRTZ_FIRED_TRIGGERS", firstJob));
            assertEquals(!alone, f.quartzRows("QRTZ_TRIGGERS", secondJob) + f.quartzRows("QRTZ_FIRED_TRIGGERS", secondJob) > 0,
                    alone ? "it waits in memory" : "it has a trigger (acquired or not)");
            assertEquals(alone ? 1 : 2, f.queue.workers().jobTriggersAdded(), "the job started at once has no trigger");
            if (alone) {
                f.queue.reconcile();
                assertEquals(0, f.quartzRows("QRTZ_TRIGGERS", secondJob), "reconciliation gives the waiting job no trigger");
                assertEquals(JobState.QUEUED, f.job(secondJob).state());
            }
            release.countDown();
            assertEquals(JobState.SUCCEEDED, f.awaitEnd(first).state());
            assertEquals(JobState.SUCCEEDED, f.awaitEnd(second).state());
            Eventually.await(Duration.ofSeconds(30), "the optional job to run", () -> f.job(optionalJob).state() == JobState.SUCCEEDED);
        }
    }

    /**
     * Jobs waiting in memory for the only worker when the queue closes are dropped from memory,
     * not run: they stay queued, and the next start runs each of them once.
     */
    @Test
    void jobsWaitingForAWorkerWhenTheQueueClosesRunOnceAfterTheNextStart() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstRunning = new CountDownLatch(1);
        List<Long> ran = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Submission> waiting = new ArrayList<>();
        QueueFixture f = new QueueFixture(dir, run -> {
            ran.add(run.jobId());
            firstRunning.countDown();
            release.await(60, TimeUnit.SECONDS);
        }, QueueFixture.fastRetry(3), 1);
        long firstJob;
        ExecutorService closing = Executors.newSingleThreadExecutor();
        Future<?> closed = null;
        try {
            f.queue.start();
            long build = f.build("R1-1.0.10");
            firstJob = f.submit(build, "autotest").jobIds().get(0);
            assertTrue(firstRunning.await(30, TimeUnit.SECONDS), "the first job started");
            for (String artifact : List.of("full_payload", "stateful", "test_suites")) {
                waiting.add(f.submit(build, artifact));
            }
            if (!f.db.vendor().clustered()) {
                assertEquals(3, f.queue.jobsWaitingForAWorker());
            }
            closed = closing.submit(f::close);
            // The only worker is still held: the line empties only by being dropped.
            Eventually.await(Duration.ofSeconds(10), "the line dropped", () -> f.queue.jobsWaitingForAWorker() == 0);
            release.countDown(); // the close waits for the running attempt
            closed.get(60, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            closing.shutdown();
            if (closed == null) {
                f.close();
            }
        }
        if (!f.db.vendor().clustered()) { // sharing a database they have triggers, which may fire before the close stops them
            assertEquals(List.of(firstJob), List.copyOf(ran), "nothing else ran before the close");
        }
        try (QueueFixture again = new QueueFixture(dir, run -> ran.add(run.jobId()), QueueFixture.fastRetry(3), 1)) {
            again.queue.start();
            again.awaitAll(waiting);
            for (Submission s : waiting) {
                long job = s.jobIds().get(0);
                assertEquals(JobState.SUCCEEDED, again.job(job).state());
                assertEquals(1, ran.stream().filter(id -> id == job).count(), "job " + job + " ran once, over both starts");
            }
        }
    }

    @Test
    void startupReconciliationSchedulesAJobWhoseTriggerWasDeleted() throws Exception {
        AtomicInteger executions = new AtomicInteger();
        try (QueueFixture f = new QueueFixture(dir, run -> executions.incrementAndGet(), QueueFixture.fastRetry(3))) {
            Submission s = f.submit(f.build("R1-1.0.4"), "autotest");
            long jobId = s.jobIds().get(0);
            // The caller hears of the submission before its triggers are inserted: wait for them first.
            Eventually.await(Duration.ofSeconds(10), "the new job's trigger", () -> hasTrigger(f, jobId));
            f.queue.workers().unschedule(jobId);
            assertFalse(f.queue.workers().hasTrigger(jobId), "trigger really gone");
            f.queue.start();
            assertEquals(JobState.SUCCEEDED, f.awaitEnd(s).state());
            assertEquals(1, executions.get());
        }
    }

    @Test
    void anAlreadyStagedArtifactMakesNoNewJob() throws Exception {
        try (QueueFixture f = new QueueFixture(dir, run -> {}, QueueFixture.fastRetry(3))) {
            f.queue.start();
            long build = f.build("R1-1.0.5");
            Submission first = f.submit(build, "stateful");
            f.awaitEnd(first);
            Submission again = f.queue.submit(build, List.of(new JobSpec("stateful", true, null)), "stateful", "",
                    artifact -> true);
            assertEquals(first.jobIds(), again.jobIds());
            assertEquals(1, f.db.dsl().fetchCount(JOB));
            assertEquals(RequestOutcome.SUCCEEDED, f.request(again.requestId()).outcome(), "settled when it was recorded");
            Submission deletedBehindOurBack = f.queue.submit(build, List.of(new JobSpec("stateful", true, null)),
                    "stateful", "", QueueFixture.NOTHING_STAGED);
            assertFalse(first.jobIds().equals(deletedBehindOurBack.jobIds()), "files gone: a new job");
        }
    }

    @Test
    void cancellingAQueuedJobStopsItAndFreesTheSlot() throws Exception {
        AtomicInteger executions = new AtomicInteger();
        try (QueueFixture f = new QueueFixture(dir, run -> executions.incrementAndGet(), QueueFixture.fastRetry(3))) {
            Submission s = f.submit(f.build("R1-1.0.6"), "autotest");
            assertTrue(f.queue.cancel(s.jobIds().get(0)));
            f.queue.start();
            assertEquals(JobState.CANCELLED, f.awaitEnd(s).state());
            long jobId = s.jobIds().get(0);
            Eventually.await(Duration.ofSeconds(30), "the job's trigger to fire", () -> !hasTrigger(f, jobId));
            assertEquals(0, executions.get(), "the trigger fired, but the claim refused the cancelled job");
            assertEquals(RequestOutcome.FAILED, f.request(s.requestId()).outcome());
        }
    }

    @Test
    void requiredJobsOvertakeOptionalOnesWaitingInTheQueue() throws Exception {
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        try (QueueFixture f = new QueueFixture(dir, run -> order.add(run.artifact()), QueueFixture.fastRetry(3), 1)) {
            JobQueue queue = f.queue;
            long build = queue.buildLedger().copyId("gs://b/t/R1", "t/R1", "");
            List<Submission> all = new ArrayList<>();
            for (String optional : List.of("control_files", "autotest_packages", "au_suite")) {
                all.add(queue.submit(build, List.of(new JobSpec(optional, false, null)), optional, "", QueueFixture.NOTHING_STAGED));
            }
            all.add(queue.submit(build, List.of(new JobSpec("test_suites", true, null)), "test_suites", "",
                    QueueFixture.NOTHING_STAGED));
            queue.start();
            Eventually.await(Duration.ofSeconds(60), "all four jobs to run", () -> order.size() == 4);
            assertEquals("test_suites", order.get(0), "required first: " + order);
            assertEquals(4, order.size());
        }
    }

    private static boolean hasTrigger(QueueFixture f, long jobId) {
        try {
            return f.queue.workers().hasTrigger(jobId);
        } catch (org.quartz.SchedulerException e) {
            throw new IllegalStateException(e);
        }
    }
}
