package dev.stagehand.queue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * At most {@code --workers} attempts run at once on this node, whether Quartz fired them or a
 * new job was started at once ({@link #startNowIfFree}). Starting a job the moment its request
 * commits saves the wait for Quartz to acquire its trigger, and the trigger itself: Quartz's
 * insert, acquisition, firing and deletion of it cost about as much as the job's own rows. A
 * crash leaves the job's row, which reconciliation re-queues and schedules (at the next start,
 * or on another node sharing the database); a busy node gives the job a trigger instead.
 */
final class WorkerPermits implements AutoCloseable {
    private final Semaphore permits;
    private final ExecutorService now = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "worker-now");
        t.setDaemon(true);
        return t;
    });

    WorkerPermits(int workers) {
        this.permits = new Semaphore(workers);
    }

    /** A Quartz worker runs {@code attempt} when a permit is free (waiting for one). */
    void run(Runnable attempt) {
        permits.acquireUninterruptibly();
        try {
            attempt.run();
        } finally {
            permits.release();
        }
    }

    /** Runs {@code attempt} on a thread of its own if a permit is free now; false (nothing done) otherwise. */
    boolean startNowIfFree(Runnable attempt) {
        if (!permits.tryAcquire()) {
            return false;
        }
        try {
            now.execute(() -> {
                try {
                    attempt.run();
                } finally {
                    permits.release();
                }
            });
            return true;
        } catch (RuntimeException rejected) {
            permits.release();
            return false;
        }
    }

    /** Waits for the attempts started at once, as Quartz's shutdown waits for its own (they stop at their next safe point). */
    @Override
    public void close() {
        now.shutdown(); // not interrupted: an attempt inside H2 must reach a safe point
        try {
            now.awaitTermination(Long.MAX_VALUE, java.util.concurrent.TimeUnit.MILLISECONDS); // the process's own stop bounds it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
