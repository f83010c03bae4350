package dev.stagehand.queue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.quartz.spi.ThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz's worker threads, as its SimpleThreadPool gives them but woken when the pool stops: an
 * idle SimpleThreadPool worker notices a shutdown only when its 500 ms wait runs out, so every
 * stop of a server (and of each test's server) took about 0.4 s in Quartz alone. Public because
 * Quartz creates it by name ({@code org.quartz.threadPool.class}).
 *
 * <p>As in SimpleThreadPool, a trigger handed over after the stop began still runs, on a thread
 * of its own: refusing it would leave Quartz's trigger in its ERROR state. A stop that waits for
 * jobs waits for that one too.
 */
public final class QuartzThreadPool implements ThreadPool {
    private static final Logger log = LoggerFactory.getLogger(QuartzThreadPool.class);

    private final Object lock = new Object();
    private int threadCount = 1;
    private String instanceName = "quartz";
    private ExecutorService threads;
    /** Runnables handed over and not yet returned, the ones on extra threads after the stop included. Guarded by lock. */
    private int busy;
    private boolean stopping;

    /** Set by Quartz from {@code org.quartz.threadPool.threadCount}. */
    public void setThreadCount(int threadCount) {
        this.threadCount = threadCount;
    }

    @Override
    public void setInstanceName(String name) {
        this.instanceName = name;
    }

    @Override
    public void setInstanceId(String id) {}

    @Override
    public int getPoolSize() {
        return threadCount;
    }

    @Override
    public void initialize() {
        if (threadCount < 1) {
            throw new IllegalArgumentException("Quartz needs at least one worker thread: " + threadCount);
        }
        AtomicInteger numbered = new AtomicInteger();
        threads = Executors.newFixedThreadPool(threadCount, task -> worker(task, String.valueOf(numbered.incrementAndGet())));
    }

    @Override
    public int blockForAvailableThreads() {
        synchronized (lock) {
            waitWhileAllBusy();
            return stopping ? 0 : threadCount - busy;
        }
    }

    @Override
    public boolean runInThread(Runnable runnable) {
        if (runnable == null) {
            return false;
        }
        synchronized (lock) {
            waitWhileAllBusy();
            busy++;
            // Handed on under the lock: a stop beginning between the count and the hand-over would
            // have the pool refuse the job, and the count would never come down again.
            if (stopping) {
                Thread last = worker(() -> runAndRelease(runnable), "LastJob");
                last.start();
            } else {
                threads.execute(() -> runAndRelease(runnable));
            }
            return true;
        }
    }

    @Override
    public void shutdown(boolean waitForJobsToComplete) {
        synchronized (lock) {
            stopping = true;
            lock.notifyAll(); // the scheduler thread may be waiting for a free worker
            if (threads == null) {
                return; // never initialised
            }
            threads.shutdown(); // under the lock: no job is handed to it after this
        }
        if (!waitForJobsToComplete) {
            return;
        }
        boolean interrupted;
        synchronized (lock) {
            interrupted = waitWhile(() -> busy > 0);
        }
        try {
            threads.awaitTermination(1, TimeUnit.MINUTES); // each worker is ending now: nothing left to run
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** As Quartz's own workers: not daemons, so the JVM's end does not cut off a running attempt. */
    private Thread worker(Runnable task, String suffix) {
        Thread worker = new Thread(task, instanceName + "_Worker-" + suffix);
        worker.setDaemon(false);
        return worker;
    }

    private void runAndRelease(Runnable runnable) {
        try {
            runnable.run();
        } catch (Throwable e) { // as Quartz's own pool: a worker outlives what it ran
            log.error("a Quartz job ended with an error", e);
        } finally {
            synchronized (lock) {
                busy--;
                lock.notifyAll();
            }
        }
    }

    /** Until a worker is free or the pool stops; an interrupt meanwhile is restored after. */
    private void waitWhileAllBusy() {
        if (waitWhile(() -> busy >= threadCount && !stopping)) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits on the lock (held by the caller) while {@code condition} holds. An interrupt does not
     * end the wait, as in Quartz's own pool; returns whether one came.
     */
    private boolean waitWhile(BooleanSupplier condition) {
        boolean interrupted = false;
        while (condition.getAsBoolean()) {
            try {
                lock.wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }
}
