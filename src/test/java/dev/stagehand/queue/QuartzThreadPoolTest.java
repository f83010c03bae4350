package dev.stagehand.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.Eventually;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/** Quartz's workers: at most the pool's size at once, a stop that waits for running jobs, and no 0.5 s wait on idle ones. */
class QuartzThreadPoolTest {
    /** Quartz's SimpleThreadPool takes up to 500 ms to stop idle workers; this pool wakes them. */
    private static final long IDLE_STOP_MS = 300;

    @Test
    void neverRunsMoreThanItsSizeAndHandsTheNextOnlyWhenOneIsFree() throws Exception {
        QuartzThreadPool pool = pool(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(2);
        Runnable held = () -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            started.countDown();
            await(release);
            running.decrementAndGet();
        };
        assertEquals(2, pool.blockForAvailableThreads());
        assertTrue(pool.runInThread(held));
        assertTrue(pool.runInThread(held));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        CompletableFuture<Boolean> third = new CompletableFuture<>();
        CompletableFuture<Integer> free = new CompletableFuture<>();
        waiting(() -> third.complete(pool.runInThread(held)));
        waiting(() -> free.complete(pool.blockForAvailableThreads()));
        assertFalse(third.isDone() || free.isDone(), "both workers are busy: the third waits");
        release.countDown();
        assertTrue(third.get(10, TimeUnit.SECONDS));
        assertTrue(free.get(10, TimeUnit.SECONDS) >= 1);
        pool.shutdown(true);
        assertEquals(2, most.get(), "never more than the pool's size at once");
        assertEquals(0, running.get());
    }

    @Test
    void aStopWaitsForRunningJobsButNotForIdleWorkers() throws Exception {
        QuartzThreadPool pool = pool(4);
        CountDownLatch ran = new CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            pool.runInThread(ran::countDown); // every worker started, now idle
        }
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        long start = System.nanoTime();
        pool.shutdown(true);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < IDLE_STOP_MS, "an idle pool stopped in " + ms + " ms");

        QuartzThreadPool busy = pool(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        busy.runInThread(() -> {
            started.countDown();
            await(release);
            finished.incrementAndGet();
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> stop = new CompletableFuture<>();
        waiting(() -> {
            busy.shutdown(true);
            stop.complete(null);
        });
        assertFalse(stop.isDone(), "the stop waits for the running job");
        assertEquals(0, busy.blockForAvailableThreads(), "a stopping pool offers no workers, and the scheduler thread is not held");
        release.countDown();
        stop.get(10, TimeUnit.SECONDS);
        assertEquals(1, finished.get());
    }

    @Test
    void aJobHandedOverAfterTheStopBeganStillRunsAndIsWaitedFor() throws Exception {
        QuartzThreadPool pool = pool(1, "late");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        pool.runInThread(() -> {
            started.countDown();
            await(release);
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> stop = new CompletableFuture<>();
        waiting(() -> {
            pool.shutdown(true);
            stop.complete(null);
        });
        CountDownLatch late = new CountDownLatch(1);
        CountDownLatch lateRelease = new CountDownLatch(1);
        // Quartz fired this trigger just before the stop: refusing it would leave its trigger in ERROR.
        assertTrue(CompletableFuture.supplyAsync(() -> pool.runInThread(() -> {
            late.countDown();
            await(lateRelease);
        })).get(10, TimeUnit.SECONDS));
        assertTrue(late.await(10, TimeUnit.SECONDS), "the late job ran although every worker was busy");
        release.countDown();
        Eventually.await(Duration.ofSeconds(10), "the first job's worker to end", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("late_Worker-1")));
        assertFalse(stop.isDone(), "the stop waits for the late job too");
        lateRelease.countDown();
        stop.get(10, TimeUnit.SECONDS);
    }

    @Test
    void realQuartzCreatesItByNameRunsJobsOnItAndStopsWithoutTheIdleWait() throws Exception {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "pool-test");
        p.setProperty("org.quartz.threadPool.class", QuartzThreadPool.class.getName());
        p.setProperty("org.quartz.threadPool.threadCount", "3");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        CountDown.five = new CountDownLatch(5);
        Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
        scheduler.start();
        long stopMs;
        try {
            assertEquals(3, scheduler.getMetaData().getThreadPoolSize());
            for (int i = 0; i < 5; i++) {
                scheduler.scheduleJob(JobBuilder.newJob(CountDown.class).withIdentity("j" + i).build(),
                        TriggerBuilder.newTrigger().startNow().build());
            }
            assertTrue(CountDown.five.await(10, TimeUnit.SECONDS), "Quartz ran its jobs on the pool");
        } finally {
            long start = System.nanoTime();
            scheduler.shutdown(true);
            stopMs = (System.nanoTime() - start) / 1_000_000;
        }
        assertTrue(stopMs < IDLE_STOP_MS, "Quartz with idle workers stopped in " + stopMs + " ms");
    }

    /** A Quartz job that counts down {@link #five}, set by the test that runs it. */
    public static final class CountDown implements Job {
        static volatile CountDownLatch five;

        @Override
        public void execute(JobExecutionContext context) {
            five.countDown();
        }
    }

    /** Runs {@code call} on a thread of its own and returns once that thread waits (or ended). */
    private static void waiting(Runnable call) {
        Thread caller = new Thread(call);
        caller.start();
        Eventually.await(Duration.ofSeconds(10), "the call to wait", () -> caller.getState() == Thread.State.WAITING
                || caller.getState() == Thread.State.TERMINATED);
    }

    private static QuartzThreadPool pool(int size) {
        return pool(size, "test");
    }

    private static QuartzThreadPool pool(int size, String name) {
        QuartzThreadPool pool = new QuartzThreadPool();
        pool.setThreadCount(size);
        pool.setInstanceName(name);
        pool.initialize();
        return pool;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
