package dev.stagehand.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerPermitsTest {
    /** With one worker, attempts lined up behind a running one start in the order they came, after it. */
    @Test
    void linedUpAttemptsRunInOrderWhenTheWorkerFrees() throws Exception {
        try (WorkerPermits permits = new WorkerPermits(1)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch allDone = new CountDownLatch(6);
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            assertTrue(permits.startNowIfFree(() -> {
                await(release);
                order.add(0);
                allDone.countDown();
            }));
            assertFalse(permits.startNowIfFree(() -> order.add(-1)), "no worker free now");
            for (int i = 1; i <= 5; i++) {
                int n = i;
                assertTrue(permits.startWhenFree(() -> {
                    order.add(n);
                    allDone.countDown();
                }));
            }
            assertEquals(5, permits.lined());
            release.countDown();
            assertTrue(allDone.await(10, TimeUnit.SECONDS));
            assertEquals(List.of(0, 1, 2, 3, 4, 5), List.copyOf(order));
            assertEquals(0, permits.lined());
        }
    }

    /**
     * Attempts lined up from many threads while others end, Quartz's (required and optional)
     * among them: every one runs, none is left in the line, and never more at once than there
     * are workers.
     */
    @Test
    void everyLinedUpAttemptRunsAndNeverMoreAtOnceThanWorkers() throws Exception {
        int workers = 3;
        int attempts = 20_000;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(attempts);
        Runnable attempt = () -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            java.util.concurrent.locks.LockSupport.parkNanos(20_000); // long enough for the others to overlap it
            running.decrementAndGet();
            done.countDown();
        };
        try (WorkerPermits permits = new WorkerPermits(workers)) {
            ExecutorService callers = Executors.newFixedThreadPool(6);
            for (int i = 0; i < attempts; i++) {
                int n = i;
                callers.execute(() -> {
                    if (n % 10 == 0) {
                        permits.run(n % 20 == 0, attempt); // as a Quartz worker: waits for a permit
                    } else if (!permits.startWhenFree(attempt)) {
                        refused.incrementAndGet();
                    }
                });
            }
            callers.shutdown();
            assertTrue(callers.awaitTermination(60, TimeUnit.SECONDS));
            assertEquals(0, refused.get(), "the line took every attempt");
            assertTrue(done.await(60, TimeUnit.SECONDS), done.getCount() + " attempts never ran");
            assertEquals(0, permits.lined());
            assertTrue(most.get() <= workers, "at most " + workers + " at once, saw " + most.get());
        }
    }

    /**
     * A required job Quartz fired waits for the attempt running, not for the line: the line gives
     * way to it, then goes on in its order.
     */
    @Test
    void aRequiredJobQuartzFiredGoesBeforeTheLine() throws Exception {
        try (WorkerPermits permits = new WorkerPermits(1)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch allDone = new CountDownLatch(5);
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            assertTrue(permits.startNowIfFree(() -> {
                await(release);
                order.add("running");
                allDone.countDown();
            }));
            for (int i = 1; i <= 3; i++) {
                String name = "lined " + i;
                assertTrue(permits.startWhenFree(() -> {
                    order.add(name);
                    allDone.countDown();
                }));
            }
            Thread quartz = new Thread(() -> permits.run(true, () -> {
                order.add("retry");
                allDone.countDown();
            }));
            quartz.start();
            dev.stagehand.testing.Eventually.await(java.time.Duration.ofSeconds(10), "the Quartz worker waiting for a permit",
                    () -> quartz.getState() == Thread.State.WAITING);
            release.countDown();
            assertTrue(allDone.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("running", "retry", "lined 1", "lined 2", "lined 3"), List.copyOf(order));
        }
    }

    /** A full line or a closed one takes nothing (the job then gets a trigger); dropping the line runs none of it. */
    @Test
    void aFullOrDroppedLineTakesNothingAndRunsNothing() throws Exception {
        try (WorkerPermits permits = new WorkerPermits(1)) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger ranFromLine = new AtomicInteger();
            assertTrue(permits.startNowIfFree(() -> await(release)));
            for (int i = 0; i < WorkerPermits.LINE_LIMIT; i++) {
                assertTrue(permits.startWhenFree(ranFromLine::incrementAndGet));
            }
            assertFalse(permits.startWhenFree(ranFromLine::incrementAndGet), "the line is full");
            assertEquals(WorkerPermits.LINE_LIMIT, permits.dropLine());
            assertFalse(permits.startWhenFree(ranFromLine::incrementAndGet), "the line is closed");
            assertEquals(0, permits.lined());
            release.countDown();
            permits.close();
            assertEquals(0, ranFromLine.get());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
