package dev.stagehand.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Futures that complete when every job of a set is terminal, holding no thread per waiter.
 * Workers in this process complete them directly; a periodic database poll completes the
 * rest (jobs finished by another process, or a notification missed in a race).
 */
final class JobWaiters implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobWaiters.class);

    private final JobStore store;
    private final ConcurrentHashMap<Long, List<Waiter>> byJob = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller;

    JobWaiters(JobStore store, Duration pollInterval) {
        this.store = store;
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "job-waiter-poll");
            t.setDaemon(true);
            return t;
        });
        long ms = pollInterval.toMillis();
        poller.scheduleWithFixedDelay(this::poll, ms, ms, TimeUnit.MILLISECONDS);
    }

    CompletableFuture<Void> await(Collection<Long> jobIds) {
        Waiter waiter = new Waiter(jobIds);
        if (waiter.pending.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        for (long id : jobIds) {
            byJob.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(waiter);
        }
        // Jobs that ended before we registered would never be notified: check once now.
        store.terminalAmong(jobIds).forEach(this::jobEnded);
        return waiter.future;
    }

    void jobEnded(long jobId) {
        List<Waiter> waiters = byJob.remove(jobId);
        if (waiters != null) {
            waiters.forEach(w -> w.ended(jobId));
        }
    }

    private void poll() {
        try {
            if (!byJob.isEmpty()) {
                store.terminalAmong(new ArrayList<>(byJob.keySet())).forEach(this::jobEnded);
            }
        } catch (RuntimeException e) {
            log.warn("polling job states failed", e);
        }
    }

    @Override
    public void close() {
        JobQueue.stopWithoutInterrupt(poller);
    }

    private static final class Waiter {
        final Set<Long> pending;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        Waiter(Collection<Long> jobIds) {
            pending = ConcurrentHashMap.newKeySet();
            pending.addAll(new HashSet<>(jobIds));
        }

        void ended(long jobId) {
            if (pending.remove(jobId) && pending.isEmpty()) {
                future.complete(null);
            }
        }
    }
}
