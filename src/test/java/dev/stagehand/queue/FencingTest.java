package dev.stagehand.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stagehand.db.types.AttemptOutcome;
import dev.stagehand.db.types.JobState;
import dev.stagehand.testing.TestDb;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose database connection stalls past the node timeout is presumed dead; another node
 * takes its job over. When the stalled node wakes up, its guarded writes fail: it stops the job
 * and the ledger keeps the other node's result.
 */
@Tag("integration")
class FencingTest {
    @TempDir Path dir;

    @Test
    void aStalledNodeCannotWriteTheJobAnotherNodeTookOver() throws Exception {
        assumeTrue(TestDb.postgres(), "two nodes need a database they share (PostgreSQL)");
        CountDownLatch runningOnA = new CountDownLatch(1);
        CountDownLatch wakeA = new CountDownLatch(1);
        AtomicReference<RuntimeException> whatAHeard = new AtomicReference<>();
        AtomicInteger runsOnB = new AtomicInteger();
        JobHandler stallingA = run -> {
            runningOnA.countDown();
            assertTrue(wakeA.await(120, TimeUnit.SECONDS));
            try {
                run.progress(1, 2L); // the first report of an attempt is always written
            } catch (RuntimeException e) {
                whatAHeard.set(e);
                throw e;
            }
        };
        // One worker on A: while its job hangs there, A's Quartz cannot take the job back.
        try (QueueFixture a = new QueueFixture(dir, stallingA, QueueFixture.fastRetry(3), 1);
             AutoCloseable wakeAWhateverHappens = wakeA::countDown) {
            a.queue.start();
            Submission s = a.submit(a.build("R1-1.0.0"), "stateful");
            long job = s.jobIds().get(0);
            assertTrue(runningOnA.await(60, TimeUnit.SECONDS), "the job started on A");
            a.queue.nodes().stall();
            try (QueueFixture b = new QueueFixture(dir, run -> runsOnB.incrementAndGet(), QueueFixture.fastRetry(3))) {
                b.queue.start();
                b.queue.awaitRequest(s.requestId()).get(60, TimeUnit.SECONDS);
                assertEquals(JobState.SUCCEEDED, b.job(job).state());
                assertEquals(1, runsOnB.get());

                wakeA.countDown();
                dev.stagehand.testing.Eventually.await(java.time.Duration.ofSeconds(30), "A's attempt to end",
                        () -> a.queue.runningHere() == 0);
                assertTrue(whatAHeard.get() instanceof ClaimLost, "A's progress write was refused: " + whatAHeard.get());
                List<AttemptView> attempts = b.attempts(job);
                assertEquals(List.of(AttemptOutcome.ABANDONED, AttemptOutcome.SUCCEEDED),
                        attempts.stream().map(AttemptView::outcome).toList());
                assertTrue(attempts.get(0).worker().startsWith(a.queue.node() + "/"), attempts.get(0).worker());
                assertTrue(attempts.get(0).error().contains(a.queue.node()), "the abandoned attempt names the dead node");
                assertTrue(attempts.get(1).worker().startsWith(b.queue.node() + "/"), attempts.get(1).worker());
                JobView after = b.job(job);
                assertEquals(JobState.SUCCEEDED, after.state(), "A's late end of the job changed nothing");
                assertEquals(2, after.attempts());
                assertEquals(b.queue.node(), after.node());
            }
        }
    }
}
