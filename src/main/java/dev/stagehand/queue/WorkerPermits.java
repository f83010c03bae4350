package dev.stagehand.queue;

import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code --workers} attempts run at once on this node, whether Quartz fired them or a
 * new job was started without a trigger ({@link #startNowIfFree}, {@link #startWhenFree}).
 * Starting a job the moment its request commits, or the moment a worker frees up, saves Quartz's
 * insert, acquisition, firing and deletion of a trigger, which cost about as much as the job's
 * own rows. A crash leaves the job's row, which reconciliation re-queues and schedules (at the
 * next start, or on another node sharing the database).
 *
 * <p>Order: a required job Quartz fired (a retry due, a job made required, one scheduled at the
 * start) waits for no more than the attempts running, as it did before the line existed: the
 * line gives way to it. Then the line, first come first served. An optional job Quartz fired
 * waits for the line to empty, as its trigger's low priority made it wait for required ones.
 */
final class WorkerPermits implements AutoCloseable {
    /** Attempts that may wait in memory for a worker; past it a new job gets a trigger. */
    static final int LINE_LIMIT = 50_000;

    private final Semaphore permits;
    /** Attempts waiting for a worker; started only by whoever holds a permit for them. */
    private final Deque<Runnable> line = new ConcurrentLinkedDeque<>();
    private final AtomicInteger lined = new AtomicInteger();
    /** Required attempts Quartz fired that wait for a permit: the line gives way while there are any. */
    private final AtomicInteger requiredWaiting = new AtomicInteger();
    private volatile boolean closed;
    private final ExecutorService now = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "worker-now");
        t.setDaemon(true);
        return t;
    });

    WorkerPermits(int workers) {
        this.permits = new Semaphore(workers);
    }

    /** A Quartz worker runs {@code attempt} when a permit is free (waiting for one). */
    void run(boolean required, Runnable attempt) {
        if (required) {
            requiredWaiting.incrementAndGet();
        }
        try {
            permits.acquireUninterruptibly();
        } finally {
            if (required) {
                requiredWaiting.decrementAndGet();
            }
        }
        try {
            attempt.run();
        } finally {
            permits.release();
            startLinedIfFree();
        }
    }

    /** Runs {@code attempt} on a thread of its own if a permit is free now; false (nothing done) otherwise. */
    boolean startNowIfFree(Runnable attempt) {
        if (!permits.tryAcquire()) {
            return false;
        }
        if (!startHolding(attempt)) {
            permits.release();
            return false;
        }
        return true;
    }

    /**
     * Runs {@code attempt} now if a permit is free, else once the attempts lined up before it have
     * had theirs; false (nothing done) when the line is full or closed.
     */
    boolean startWhenFree(Runnable attempt) {
        if (closed) {
            return false;
        }
        if (lined.incrementAndGet() > LINE_LIMIT) {
            lined.decrementAndGet();
            return false;
        }
        line.addLast(attempt);
        startLinedIfFree();
        return true;
    }

    /** Attempts lined up, not yet started. */
    int lined() {
        return lined.get();
    }

    /** Whether the line must give way now. */
    private boolean yielding() {
        return closed || requiredWaiting.get() > 0;
    }

    /**
     * Whoever adds to the line or frees a permit calls this afterwards, so an attempt lined up
     * while every permit was held is started by the release that follows. A permit taken for an
     * empty line (another took the attempt meanwhile) is given back and the line looked at again.
     */
    private void startLinedIfFree() {
        while (!yielding() && !line.isEmpty() && permits.tryAcquire()) {
            Runnable first = next();
            if (first == null) {
                permits.release();
                continue;
            }
            if (!startHolding(() -> runThenTakeTheLine(first))) {
                line.addFirst(first); // no thread now: it stays first, for the next release (or the close's drop)
                lined.incrementAndGet();
                permits.release();
                return;
            }
        }
    }

    /** A worker that ran a lined-up attempt keeps its permit for the next one in line, unless the line must give way. */
    private void runThenTakeTheLine(Runnable first) {
        for (Runnable attempt = first; attempt != null; attempt = yielding() ? null : next()) {
            attempt.run();
        }
    }

    private Runnable next() {
        Runnable attempt = line.pollFirst();
        if (attempt != null) {
            lined.decrementAndGet();
        }
        return attempt;
    }

    /** Starts {@code attempt} on a thread of its own, holding a permit it releases at the end; false when no thread could start. */
    private boolean startHolding(Runnable attempt) {
        try {
            now.execute(() -> {
                try {
                    attempt.run();
                } finally {
                    permits.release();
                    startLinedIfFree();
                }
            });
            return true;
        } catch (RuntimeException | OutOfMemoryError noThread) { // rejected while closing, or no native thread to be had
            return false;
        }
    }

    /**
     * Stops the line and drops what is still in it: those jobs' rows are queued without a
     * trigger, which the next start's reconciliation gives them. Returns how many were dropped.
     */
    int dropLine() {
        closed = true;
        int dropped = 0;
        while (next() != null) {
            dropped++;
        }
        return dropped;
    }

    /** Waits for the attempts running, as Quartz's shutdown waits for its own (they stop at their next safe point). */
    @Override
    public void close() {
        dropLine();
        now.shutdown(); // not interrupted: an attempt inside H2 must reach a safe point
        try {
            now.awaitTermination(Long.MAX_VALUE, java.util.concurrent.TimeUnit.MILLISECONDS); // the process's own stop bounds it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
