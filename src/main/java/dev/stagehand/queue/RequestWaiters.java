package dev.stagehand.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
 * of the table completes the rest (requests settled by another node, or by reconciliation).
 */
final class RequestWaiters implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestWaiters.class);
    private static final int POLL_BATCH = 500;

    private final RequestStore requests;
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller;

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

    CompletableFuture<Void> await(long requestId) {
        CompletableFuture<Void> future = waiting.computeIfAbsent(requestId, id -> new CompletableFuture<>());
        // Settled before we registered? Then no notification will come: check once now.
        settled(requests.settledAmong(List.of(requestId)));
        return future;
    }

    void settled(Collection<Long> requestIds) {
        for (long id : requestIds) {
            CompletableFuture<Void> future = waiting.remove(id);
            if (future != null) {
                future.complete(null);
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
