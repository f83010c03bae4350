package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.STAGE_REQUEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.db.types.JobState;
import dev.stagehand.db.types.RequestOutcome;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.TestDb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A request's outcome is decided with the job change that decides it, and a waiter hears of it only after that commit. */
@Tag("integration")
class RequestOutcomeTest {
    static final String[] ARTIFACTS = {"stateful", "full_payload", "symbols", "control_files"};

    @TempDir Path dir;

    @RepeatedTest(3)
    void concurrentMultiArtifactRequestsAllSettleAndWaitersSeeTheCommittedOutcome() throws Exception {
        try (QueueFixture f = new QueueFixture(dir, run -> Thread.sleep(ThreadLocalRandom.current().nextInt(1, 15)),
                QueueFixture.fastRetry(3), 4)) {
            f.queue.start();
            ExecutorService callers = Executors.newFixedThreadPool(20);
            List<CompletableFuture<RequestOutcome>> seenByWaiters = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                long build = f.build("R1-" + round);
                for (int caller = 0; caller < 20; caller++) {
                    seenByWaiters.add(CompletableFuture.supplyAsync(() -> f.submit(build, ARTIFACTS), callers)
                            .thenCompose(s -> f.queue.awaitRequest(s.requestId()).thenApply(done -> f.request(s.requestId()).outcome())));
                }
            }
            for (CompletableFuture<RequestOutcome> outcome : seenByWaiters) {
                assertEquals(RequestOutcome.SUCCEEDED, outcome.get(60, TimeUnit.SECONDS), "the outcome a woken waiter reads");
            }
            callers.shutdown();
            assertEquals(80, f.db.dsl().fetchCount(STAGE_REQUEST, STAGE_REQUEST.OUTCOME.eq(RequestOutcome.SUCCEEDED)));
            assertEquals(0, f.db.dsl().fetchCount(STAGE_REQUEST, STAGE_REQUEST.OUTCOME.eq(RequestOutcome.PENDING)));
        }
    }

    @Test
    void aRequestFailsWhenOneOfItsRequiredJobsFailsAndOnlyAfterAllOfThemEnded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (QueueFixture f = new QueueFixture(dir, run -> {
            if (run.artifact().equals("symbols")) {
                throw new PermanentFailure("no symbols in this build");
            }
            release.await(60, TimeUnit.SECONDS); // the others run until the symbols job has failed
        }, QueueFixture.fastRetry(3), 4)) {
            f.queue.start();
            Submission s = f.submit(f.build("R2"), ARTIFACTS);
            long symbols = s.jobIds().stream().filter(j -> f.job(j).artifact().equals("symbols")).findFirst().orElseThrow();
            Eventually.await(Duration.ofSeconds(30), "the symbols job to fail", () -> f.job(symbols).state() == JobState.FAILED);
            assertEquals(RequestOutcome.PENDING, f.request(s.requestId()).outcome(), "not settled while its other jobs run");
            release.countDown();
            f.queue.awaitRequest(s.requestId()).get(60, TimeUnit.SECONDS);
            assertEquals(RequestOutcome.FAILED, f.request(s.requestId()).outcome());
            for (long job : s.jobIds()) {
                JobState state = f.job(job).state();
                assertFalse(JobStates.isActive(state), "every required job had ended when the request settled: " + state);
            }
        }
    }

    @Test
    void startupSettlesPendingRequestsWhoseJobsAllEndedUnderOlderCode() throws Exception {
        long requestId;
        try (QueueFixture f = new QueueFixture(dir, run -> {}, QueueFixture.fastRetry(3))) {
            f.queue.start();
            Submission s = f.submit(f.build("R3"), ARTIFACTS);
            f.awaitAll(List.of(s));
            requestId = s.requestId();
            // What round-1 code could leave behind: every job done, the request never settled.
            f.db.dsl().update(STAGE_REQUEST).set(STAGE_REQUEST.OUTCOME, RequestOutcome.PENDING)
                    .setNull(STAGE_REQUEST.FINISHED_AT).where(STAGE_REQUEST.ID.eq(requestId)).execute();
        }
        try (QueueFixture f = new QueueFixture(dir, run -> {}, QueueFixture.fastRetry(3))) {
            assertEquals(4, f.db.dsl().fetchCount(JOB, JOB.STATE.eq(JobState.SUCCEEDED)));
            f.queue.start();
            RequestView healed = f.request(requestId);
            assertEquals(RequestOutcome.SUCCEEDED, healed.outcome(), "settled by the startup reconciliation");
            assertNotNull(healed.finishedAt());
        }
    }

    @Test
    void cancellingTheLastActiveRequiredJobSettlesItsRequestsAsFailedAtOnce() throws Exception {
        try (QueueFixture f = new QueueFixture(dir, run -> {}, QueueFixture.fastRetry(3))) {
            Submission s = f.submit(f.build("R4"), "stateful");
            CompletableFuture<RequestOutcome> waiter = f.queue.awaitRequest(s.requestId());
            f.queue.cancel(s.jobIds().get(0));
            waiter.get(5, TimeUnit.SECONDS);
            assertEquals(RequestOutcome.FAILED, f.request(s.requestId()).outcome());
        }
    }

    /**
     * The race behind a stage call that once hung: a request attaches to a job whose end is in
     * flight. The end's transaction has updated the job and settled the requests it found, but
     * not committed; the new request must wait for that end and see the job ended (the end
     * cannot see a request committed after it looked).
     */
    @Test
    void aRequestAttachingWhileItsJobEndsIsSettledAtOnce() throws Exception {
        try (QueueFixture f = new QueueFixture(dir, run -> {}, QueueFixture.fastRetry(3))) {
            long build = f.build("R5");
            long job = f.submit(build, "stateful").jobIds().get(0); // the queue is not started: the test ends the job
            Stores stores = f.queue.stores();
            Claim claim = stores.inTransaction(tx -> tx.jobs.claim(job, f.queue.node())).claim().orElseThrow();
            CountDownLatch endUncommitted = new CountDownLatch(1);
            CountDownLatch commitEnd = new CountDownLatch(1);
            CompletableFuture<java.util.Map<Long, RequestOutcome>> ending = CompletableFuture.supplyAsync(() -> stores.inTransaction(tx -> {
                tx.jobs.finish(claim, JobTransition.Ending.SUCCEED, null);
                java.util.Map<Long, RequestOutcome> settled = tx.requests.settleRequestsOf(job);
                endUncommitted.countDown();
                await(commitEnd);
                return settled;
            }));
            assertTrue(endUncommitted.await(10, TimeUnit.SECONDS));
            CompletableFuture<Submission> attaching = CompletableFuture.supplyAsync(
                    () -> f.queue.submit(build, List.of(new JobSpec("stateful", true, null)), "stateful", "", artifact -> true));
            Eventually.await(Duration.ofSeconds(10), "the new request to wait for the ending job, or to be recorded",
                    () -> attaching.isDone() || TestDb.sessionsWaitingForALock(f.db.dsl()) > 0);
            commitEnd.countDown();
            ending.get(10, TimeUnit.SECONDS);
            Submission late = attaching.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(job), late.jobIds(), "attached to the job that staged the artifact");
            assertEquals(RequestOutcome.SUCCEEDED, f.request(late.requestId()).outcome(), "settled with no reconciliation");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
