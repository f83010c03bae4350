package dev.stagehand.queue;

import dev.stagehand.db.types.RequestOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Futures that complete once a request has its outcome, holding no thread per waiter. Workers
 * of this node complete them right after the commit that settled the request; a periodic poll
 * of the table completes the rest (requests settled by another node, or by reconciliation), at
 * once when another node says it settled some ({@link #pollSoon}).
 */
final class RequestWaiters implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestWaiters.class);
    private static final int POLL_BATCH = 500;

    private final RequestStore requests;
    private final ConcurrentHashMap<Long, CompletableFuture<RequestOutcome>> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller;
    private final java.util.concurrent.atomic.AtomicBoolean pollQueued = new java.util.concurrent.atomic.AtomicBoolean();

    RequestWaiters(RequestStore requests, Duration pollInterval) {
        this.requests = requests;
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "request-waiter-poll");
            t.setDaemon(true);
            return t;
        });
        long ms = pollInterval.toMillis();
        poller.scheduleWithFixedDelay(this::poll, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Completes with the request's outcome once it is decided. */
    CompletableFuture<RequestOutcome> await(long requestId) {
        CompletableFuture<RequestOutcome> future = waiting.get(requestId);
        if (future != null) {
            return future; // registered when it was recorded
        }
        future = waiting.computeIfAbsent(requestId, id -> new CompletableFuture<>());
        // Settled before we registered? Then no notification will come: check once now.
        settled(requests.settledAmong(List.of(requestId)));
        return future;
    }

    /**
     * Registers waiters for requests just recorded, before anyone is told they were, and checks
     * them in one read (some were decided in their own transaction; a job may end meanwhile).
     */
    void registerRecorded(Collection<Long> requestIds) {
        if (requestIds.isEmpty()) {
            return;
        }
        for (long id : requestIds) {
            waiting.computeIfAbsent(id, i -> new CompletableFuture<>());
        }
        settled(requests.settledAmong(requestIds));
    }

    void settled(Map<Long, RequestOutcome> outcomes) {
        outcomes.forEach((id, outcome) -> {
            CompletableFuture<RequestOutcome> future = waiting.remove(id);
            if (future != null) {
                future.complete(outcome);
            }
        });
    }

    /** Another node settled requests: look at once rather than at the next poll (one look for a burst of these). */
    void pollSoon() {
        if (!waiting.isEmpty() && pollQueued.compareAndSet(false, true)) {
            try {
                poller.execute(() -> {
                    pollQueued.set(false);
                    poll();
                });
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                pollQueued.set(false);
            }
        }
    }

    private void poll() {
        try {
            List<Long> ids = new ArrayList<>(waiting.keySet());
            for (int i = 0; i < ids.size(); i += POLL_BATCH) {
                settled(requests.settledAmong(ids.subList(i, Math.min(ids.size(), i + POLL_BATCH))));
            }
        } catch (RuntimeException e) {
            log.warn("polling request outcomes failed", e);
        }
    }

    @Override
    public void close() {
        JobQueue.stopWithoutInterrupt(poller);
    }
}
