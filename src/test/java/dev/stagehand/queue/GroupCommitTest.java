package dev.stagehand.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stagehand.db.schema.Tables;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.TestDb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests arriving together are recorded together: N callers of one artifact, a couple of commits. */
@Tag("integration")
class GroupCommitTest {
    static final int CALLERS = 200;
    @TempDir Path dir;

    @Test
    void concurrentRequestsForOneArtifactCommitInFarFewerTransactionsThanRequests() throws Exception {
        try (QueueFixture f = new QueueFixture(dir, run -> {}, QueueFixture.fastRetry(3))) {
            long build = f.build("R1");
            Stores stores = f.queue.stores();
            CountDownLatch locked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // Another transaction holds the build's row: the first batch waits on it, the rest gather behind it.
            CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> stores.inTransaction(tx -> {
                tx.builds.lockForRequest(build);
                locked.countDown();
                await(release);
                return null;
            }));
            locked.await(30, TimeUnit.SECONDS);
            int before = f.queue.recorder().commits();
            List<CompletableFuture<Submission>> submitted = new ArrayList<>();
            submitted.add(submitAsync(f, build, 0));
            Eventually.await(Duration.ofSeconds(30), "the first batch to wait for the build's row",
                    () -> TestDb.sessionsWaitingForALock(f.db.dsl()) >= 1);
            for (int i = 1; i < CALLERS; i++) {
                submitted.add(submitAsync(f, build, i));
            }
            Eventually.await(Duration.ofSeconds(30), "the others to gather", () -> f.queue.recorder().waiting() == CALLERS - 1);
            release.countDown();
            holder.get(30, TimeUnit.SECONDS);
            CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertEquals(2, f.queue.recorder().commits() - before, CALLERS + " requests in two commits");
            assertEquals(CALLERS, f.db.dsl().fetchCount(Tables.STAGE_REQUEST), "every request recorded");
            assertEquals(1, f.db.dsl().fetchCount(Tables.JOB), "all attached to one job");
            assertEquals(1, submitted.stream().map(s -> s.join().jobIds()).distinct().count());
            for (int i = 0; i < CALLERS; i++) { // each caller's request row is the one with its task's ids
                var row = f.db.dsl().selectFrom(Tables.STAGE_REQUEST).where(Tables.STAGE_REQUEST.ID.eq(submitted.get(i).join().requestId()))
                        .fetchSingle();
                assertEquals(task(i), new dev.stagehand.common.TaskIds(row.getSwarmingTaskId(), row.getBbid()), "caller " + i);
            }
        }
    }

    @Test
    void aRequestRefusedByALimitRefusesOnlyItselfInItsBatch() throws Exception {
        try (QueueFixture f = new QueueFixture(dir, run -> {}, QueueFixture.fastRetry(3), 1, java.time.Clock.systemUTC(),
                new dev.stagehand.common.CallerLimits(100, 2, 100, 100))) {
            long build = f.build("R2");
            Stores stores = f.queue.stores();
            CountDownLatch locked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> stores.inTransaction(tx -> {
                tx.builds.lockForRequest(build);
                locked.countDown();
                await(release);
                return null;
            }));
            locked.await(30, TimeUnit.SECONDS);
            CompletableFuture<Submission> first = f.queue.submitAsync(build, List.of(new JobSpec("a", true, null)), "a", "",
                    QueueFixture.NOTHING_STAGED);
            Eventually.await(Duration.ofSeconds(30), "the first batch to wait", () -> TestDb.sessionsWaitingForALock(f.db.dsl()) >= 1);
            CompletableFuture<Submission> tooMany = f.queue.submitAsync(build, List.of(new JobSpec("b", true, null),
                    new JobSpec("c", true, null)), "b,c", "", QueueFixture.NOTHING_STAGED);
            CompletableFuture<Submission> fits = f.queue.submitAsync(build, List.of(new JobSpec("a", true, null)), "a", "",
                    QueueFixture.NOTHING_STAGED);
            Eventually.await(Duration.ofSeconds(30), "the two to gather", () -> f.queue.recorder().waiting() == 2);
            release.countDown();
            holder.get(30, TimeUnit.SECONDS);
            first.get(30, TimeUnit.SECONDS);
            fits.get(30, TimeUnit.SECONDS);
            java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> tooMany.get(30, TimeUnit.SECONDS));
            assertEquals(dev.stagehand.common.LimitReached.class, refused.getCause().getClass());
            assertEquals(2, f.db.dsl().fetchCount(Tables.STAGE_REQUEST), "the refused request left no row");
            assertEquals(1, f.db.dsl().fetchCount(Tables.JOB), "nor a job");
        }
    }

    /** Caller {@code n}'s request, by a task of its own (every tenth shares one: rows alike in their ids). */
    private static CompletableFuture<Submission> submitAsync(QueueFixture f, long build, int n) {
        return f.queue.submitAsync(build, List.of(new JobSpec("autotest", true, null)), "autotest", "", task(n),
                QueueFixture.NOTHING_STAGED);
    }

    private static dev.stagehand.common.TaskIds task(int n) {
        return new dev.stagehand.common.TaskIds(n % 10 == 0 ? "shared" : "task-" + n, n % 3 == 0 ? null : "bb-" + n);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
