package dev.stagehand.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stagehand.db.types.JobState;
import dev.stagehand.db.types.RequestOutcome;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.TestDb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With hashed placement only the node holding a build's copy runs its jobs, however the others
 * try, and jobs of a copy whose holder left the ring go to the build's new home.
 */
@Tag("integration")
class PlacementAffinityTest {
    static final String A = "http://node-a.test:8080";
    static final String B = "http://node-b.test:8080";

    @TempDir Path dir;

    @BeforeEach
    void needsASharedDatabase() {
        assumeTrue(TestDb.postgres(), "two nodes need a database they share (PostgreSQL)");
    }

    @Test
    void anotherNodesClaimsOfAJobNeverWinEvenRacingTheHome() throws Exception {
        AtomicInteger runsOnB = new AtomicInteger();
        try (QueueFixture a = new QueueFixture(dir, run -> {}, A);
             QueueFixture b = new QueueFixture(dir, run -> runsOnB.incrementAndGet(), B)) {
            a.queue.start();
            b.queue.start();
            List<Submission> submissions = new ArrayList<>();
            AtomicBoolean racing = new AtomicBoolean(true);
            List<Long> jobs = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger claimsByB = new AtomicInteger();
            AtomicInteger wonByB = new AtomicInteger();
            Thread claimer = new Thread(() -> { // B claims every job it can see, as fast as it can, by hand
                while (racing.get()) {
                    for (long job : List.copyOf(jobs)) {
                        claimsByB.incrementAndGet();
                        if (b.queue.stores().inTransaction(tx -> tx.jobs.claim(job, b.queue.node())).claim().isPresent()) {
                            wonByB.incrementAndGet();
                        }
                    }
                }
            });
            claimer.start();
            for (int i = 0; i < 30; i++) { // recorded through B, for copies A holds: A is nudged and runs them
                long build = b.queue.buildLedger().copyId("gs://bucket/target/R" + i, "target/R" + i, A);
                Submission s = b.submit(build, "stateful");
                jobs.addAll(s.jobIds());
                submissions.add(s);
            }
            b.awaitAll(submissions);
            racing.set(false);
            claimer.join();
            assertTrue(claimsByB.get() > 30, "B tried " + claimsByB.get() + " claims");
            assertEquals(0, wonByB.get(), "no claim by a node that does not hold the copy wins");
            assertEquals(0, runsOnB.get());
            for (long job : jobs) {
                JobView view = a.job(job);
                assertEquals(JobState.SUCCEEDED, view.state());
                assertEquals(a.queue.node(), view.node());
                List<AttemptView> attempts = a.attempts(job);
                assertEquals(1, attempts.size(), "job " + job + " ran once: " + attempts);
                assertTrue(attempts.get(0).worker().startsWith(a.queue.node() + "/"), attempts.get(0).worker());
            }
        }
    }

    @Test
    void jobsOfACopyWhoseHolderDrainsMoveToTheNewHomeOrJoinItsJob() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch heldOnB = new CountDownLatch(1);
        JobHandler bHoldsR1 = run -> {
            if (run.buildPath().equals("target/R1")) {
                heldOnB.countDown();
                assertTrue(release.await(60, TimeUnit.SECONDS));
            }
        };
        // A takes nothing: its handler is never reached (it is drained before anything is queued).
        try (QueueFixture a = new QueueFixture(dir, run -> { throw new AssertionError("ran on the drained node"); }, A);
             QueueFixture b = new QueueFixture(dir, bHoldsR1, B);
             AutoCloseable releaseWhateverHappens = release::countDown) {
            a.queue.start();
            b.queue.start();
            a.queue.serving(8080); // a node joins the ring once it serves
            b.queue.serving(8080);
            Eventually.await(Duration.ofSeconds(10), "B to see A in the ring", () -> b.queue.homes().ring().size() == 2);
            assertEquals(JobQueue.Drain.DRAINING, b.queue.drain(a.queue.node()));
            Eventually.await(Duration.ofSeconds(10), "both nodes to place builds on B only",
                    () -> a.queue.homes().ring().equals(List.of(B)) && b.queue.homes().ring().equals(List.of(B)));

            // R0: a job queued at A's copy (recorded before the drain was seen) moves to B's copy.
            long r0AtA = b.queue.buildLedger().copyId("gs://bucket/target/R0", "target/R0", A);
            Submission r0 = b.submit(r0AtA, "stateful");
            // R1: B's own copy is fetching the artifact already; the request queued at A's copy joins that job.
            long r1AtB = b.queue.buildLedger().copyId("gs://bucket/target/R1", "target/R1", B);
            Submission running = b.submit(r1AtB, "stateful");
            assertTrue(heldOnB.await(30, TimeUnit.SECONDS));
            long r1AtA = b.queue.buildLedger().copyId("gs://bucket/target/R1", "target/R1", A);
            Submission r1 = b.submit(r1AtA, "stateful");

            b.queue.reconcile();
            JobView moved = b.job(r0.jobIds().get(0));
            assertEquals(b.queue.buildLedger().copyId("gs://bucket/target/R0", "target/R0", B), moved.buildId(), "R0's job is now B's copy's");
            b.awaitAll(List.of(r0));
            assertEquals(JobState.SUCCEEDED, b.job(r0.jobIds().get(0)).state());
            assertEquals(b.queue.node(), b.job(r0.jobIds().get(0)).node());

            JobView merged = b.job(r1.jobIds().get(0));
            assertEquals(JobState.CANCELLED, merged.state());
            assertTrue(merged.lastError().contains("job " + running.jobIds().get(0)), merged.lastError());
            assertEquals(RequestOutcome.PENDING, b.request(r1.requestId()).outcome(), "the request waits on B's job");
            release.countDown();
            b.awaitAll(List.of(r1, running));
            assertEquals(RequestOutcome.SUCCEEDED, b.request(r1.requestId()).outcome());
        }
    }
}
