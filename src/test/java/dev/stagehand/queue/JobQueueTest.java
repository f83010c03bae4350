package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.JOB_ATTEMPT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobQueueTest {
    @TempDir Path dir;

    @Test
    void fiftyThreadsEnqueueingTheSameArtifactMakeOneJobThatRunsOnce() throws Exception {
        AtomicInteger executions = new AtomicInteger();
        try (QueueFixture f = new QueueFixture(dir, run -> {
            executions.incrementAndGet();
            Thread.sleep(300);
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
            assertEquals(1, jobIds.size(), "every caller attached to the same job");
            f.queue.awaitTerminal(jobIds).get(60, TimeUnit.SECONDS);
            assertEquals(1, f.db.dsl().fetchCount(JOB), "one job row");
            assertEquals(1, executions.get(), "one execution");
            assertEquals(JobState.SUCCEEDED, f.queue.jobs().find(jobIds.iterator().next()).orElseThrow().state());
            assertEquals(50, f.db.dsl().fetchCount(dev.stagehand.db.schema.Tables.STAGE_REQUEST));
        }
    }

    @Test
    void aJobFailingTwiceThenSucceedingRecordsThreeAttemptsWithGrowingDelays() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (QueueFixture f = new QueueFixture(dir, run -> {
            if (calls.incrementAndGet() <= 2) {
                throw new java.io.IOException("transient failure " + calls.get());
            }
        }, QueueFixture.fastRetry(5))) {
            f.queue.start();
            JobRecordView job = f.awaitEnd(f.submit(f.build("R1-1.0.1"), "stateful"));
            assertEquals(JobState.SUCCEEDED, job.state());
            assertEquals(3, job.attempts());
            var attempts = f.db.dsl().selectFrom(JOB_ATTEMPT).where(JOB_ATTEMPT.JOB_ID.eq(job.id()))
                    .orderBy(JOB_ATTEMPT.ATTEMPT_NO).fetch();
            assertEquals(List.of("RETRY", "RETRY", "SUCCEEDED"), attempts.getValues(JOB_ATTEMPT.OUTCOME));
            assertEquals("transient failure 1", attempts.get(0).getError());
            long firstGap = gapMillis(attempts.get(0).getStartedAt(), attempts.get(1).getStartedAt());
            long secondGap = gapMillis(attempts.get(1).getStartedAt(), attempts.get(2).getStartedAt());
            assertTrue(firstGap >= 150, "first retry waited for its backoff: " + firstGap);
            assertTrue(secondGap > firstGap, "delays grow: " + firstGap + " then " + secondGap);
        }
    }

    @Test
    void aJobThatAlwaysFailsEndsFailedAfterMaxAttemptsKeepingTheLastError() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (QueueFixture f = new QueueFixture(dir, run -> {
            throw new java.io.IOException("boom " + calls.incrementAndGet());
        }, QueueFixture.fastRetry(3))) {
            f.queue.start();
            JobRecordView job = f.awaitEnd(f.submit(f.build("R1-1.0.2"), "stateful"));
            assertEquals(JobState.FAILED, job.state());
            assertEquals(3, job.attempts());
            assertTrue(job.lastError().startsWith("boom 3"), job.lastError());
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
            JobRecordView job = f.awaitEnd(f.submit(f.build("R1-1.0.3"), "nope"));
            assertEquals(JobState.FAILED, job.state());
            assertEquals(1, job.attempts());
            assertEquals("unknown artifact nope", job.lastError());
            assertEquals(1, calls.get());
        }
    }

    @Test
    void startupReconciliationSchedulesAJobWhoseTriggerWasDeleted() throws Exception {
        AtomicInteger executions = new AtomicInteger();
        try (QueueFixture f = new QueueFixture(dir, run -> executions.incrementAndGet(), QueueFixture.fastRetry(3))) {
            Submission s = f.submit(f.build("R1-1.0.4"), "autotest");
            long jobId = s.jobIds().get(0);
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
                    (b, a) -> true);
            assertEquals(first.jobIds(), again.jobIds());
            assertEquals(1, f.db.dsl().fetchCount(JOB));
            assertEquals("SUCCEEDED", f.queue.requests().find(again.requestId()).orElseThrow().outcome());
            Submission deletedBehindOurBack = f.queue.submit(build, List.of(new JobSpec("stateful", true, null)),
                    "stateful", "", StagedCheck.NEVER);
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
            Thread.sleep(300);
            assertEquals(0, executions.get());
            assertEquals("FAILED", f.queue.requests().find(s.requestId()).orElseThrow().outcome());
        }
    }

    @Test
    void requiredJobsOvertakeOptionalOnesWaitingInTheQueue() throws Exception {
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        try (var db = dev.stagehand.testing.TestDb.open(dir);
             JobQueue queue = new JobQueue(db, new QueueConfig(1, QueueFixture.fastRetry(3), Duration.ofMillis(100)),
                     run -> order.add(run.artifact()), java.time.Clock.systemUTC())) {
            long build = queue.builds().id("gs://b/t/R1", "t/R1");
            for (String optional : List.of("control_files", "autotest_packages", "au_suite")) {
                queue.submit(build, List.of(new JobSpec(optional, false, null)), optional, "", StagedCheck.NEVER);
            }
            Submission required = queue.submit(build, List.of(new JobSpec("test_suites", true, null)), "test_suites", "",
                    StagedCheck.NEVER);
            queue.start();
            queue.awaitTerminal(List.of(1L, 2L, 3L, required.jobIds().get(0))).get(60, TimeUnit.SECONDS);
            assertEquals("test_suites", order.get(0), "required first: " + order);
            assertEquals(4, order.size());
        }
    }

    private static long gapMillis(OffsetDateTime a, OffsetDateTime b) {
        return Duration.between(a, b).toMillis();
    }
}
