package dev.stagehand.queue;

import dev.stagehand.common.TaskIds;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of stage requests. Callers hand their request to one writer thread, which records
 * every request waiting at that moment in one transaction and commits once: a thousand callers
 * of one build cost a few commits, not a thousand transactions queued behind the build's row.
 * Each request is recorded behind a savepoint of its own, so one refused by a limit refuses only
 * itself. A request is acknowledged only once its batch has committed.
 */
final class RequestRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestRecorder.class);
    /** Most requests recorded in one transaction; the rest wait for the next, a few milliseconds on. */
    static final int MOST_PER_COMMIT = 500;

    /** One request to record, and where its outcome goes. */
    record Pending(long buildId, List<JobSpec> specs, String artifacts, String files, TaskIds task, Predicate<String> stillStaged,
            CompletableFuture<Recorded> result) {}

    /** What recording one request did: the submission, and the jobs it created or made required (to schedule). */
    record Recorded(Submission submission, List<Submission.Item> created, List<Long> upgraded) {}

    /**
     * Records requests alike (same build, same artifacts and files: callers who asked the same at
     * the same moment) in the transaction it is given, each a row of its own but attached,
     * linked and settled together; the build's row is already locked by the batch.
     */
    interface Recording {
        List<Recorded> record(Stores tx, List<Pending> alike, boolean buildReady);
    }

    /**
     * What makes two requests alike: build, artifacts and files, and which are required. Their
     * wait deadlines differ by the moments between them; the first one's counts for a job made new.
     */
    private record Alike(long buildId, List<String> specs, String artifacts, String files) {
        static Alike of(Pending p) {
            return new Alike(p.buildId(), p.specs().stream().map(s -> s.artifact() + (s.required() ? " required" : "")).toList(),
                    p.artifacts(), p.files());
        }
    }

    private static final Pending STOP = new Pending(-1, List.of(), "", "", TaskIds.NONE, a -> false, new CompletableFuture<>());

    private final Stores stores;
    private final Recording recording;
    /** What happens after a commit, around telling the callers. */
    interface AfterCommit {
        /** Before anyone is told: waiters registered, new jobs started where a worker is free. */
        void beforeTelling(List<Recorded> recorded);

        /** After: the new jobs' triggers (a crash before this is what reconciliation mends). */
        void afterTelling(List<Recorded> recorded);
    }

    private final AfterCommit afterCommit;
    private final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile int commits;

    RequestRecorder(Stores stores, Recording recording, AfterCommit afterCommit) {
        this.stores = stores;
        this.recording = recording;
        this.afterCommit = afterCommit;
        this.writer = new Thread(this::write, "request-recorder");
        writer.setDaemon(true);
        writer.start();
    }

    CompletableFuture<Recorded> record(long buildId, List<JobSpec> specs, String artifacts, String files, TaskIds task,
            Predicate<String> stillStaged) {
        CompletableFuture<Recorded> result = new CompletableFuture<>();
        if (!writer.isAlive()) {
            result.completeExceptionally(new IllegalStateException("the queue is stopped"));
            return result;
        }
        pending.add(new Pending(buildId, specs, artifacts, files, task, stillStaged, result));
        return result;
    }

    /** Requests waiting for the next commit (tests wait for them). */
    int waiting() {
        return pending.size();
    }

    /** Transactions committed so far (tests count them). */
    int commits() {
        return commits;
    }

    private void write() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            try {
                batch.clear();
                batch.add(pending.take());
                pending.drainTo(batch, MOST_PER_COMMIT - 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            boolean stop = batch.remove(STOP);
            if (!batch.isEmpty()) {
                commit(batch);
            }
            if (stop) {
                return;
            }
        }
    }

    /**
     * One transaction for the batch. Builds are locked in id order (as every transaction that
     * locks several does), once each; then each request behind its savepoint. Should the batch
     * fail as a whole, each request is tried alone, so that one bad request cannot sink the rest.
     */
    private void commit(List<Pending> batch) {
        Map<Alike, List<Pending>> groups = new java.util.TreeMap<>(Comparator.comparingLong(Alike::buildId)
                .thenComparing(a -> a.specs().toString()).thenComparing(Alike::artifacts).thenComparing(Alike::files));
        for (Pending p : batch) {
            groups.computeIfAbsent(Alike.of(p), a -> new ArrayList<>()).add(p);
        }
        Map<Pending, Object> outcomes = new HashMap<>();
        try {
            stores.inTransaction(tx -> {
                outcomes.clear();
                Map<Long, Boolean> ready = new HashMap<>();
                for (List<Pending> alike : groups.values()) {
                    // The build row first (before the request's foreign key takes a share lock on it,
                    // which two transactions would then each wait for the other to give up).
                    boolean buildReady = ready.computeIfAbsent(alike.get(0).buildId(), tx.builds::lockForRequest);
                    try {
                        List<Recorded> recorded = tx.inTransaction(savepoint -> recording.record(savepoint, alike, buildReady));
                        for (int i = 0; i < alike.size(); i++) {
                            outcomes.put(alike.get(i), recorded.get(i));
                        }
                    } catch (RuntimeException refused) {
                        alike.forEach(p -> outcomes.put(p, refused));
                    }
                }
                return null;
            });
            commits++;
        } catch (RuntimeException batchFailed) {
            log.warn("recording {} requests together failed ({}); recording each alone", batch.size(), batchFailed.toString());
            for (Pending p : batch) {
                try {
                    outcomes.put(p, stores.inTransaction(tx -> recording.record(tx, List.of(p), tx.builds.lockForRequest(p.buildId())))
                            .get(0));
                    commits++;
                } catch (RuntimeException e) {
                    outcomes.put(p, e);
                }
            }
        }
        List<Recorded> recorded = new ArrayList<>();
        outcomes.values().forEach(o -> {
            if (o instanceof Recorded r) {
                recorded.add(r);
            }
        });
        try {
            afterCommit.beforeTelling(recorded);
        } catch (RuntimeException e) {
            log.warn("starting newly recorded jobs failed; their triggers will", e);
        }
        for (Pending p : batch) {
            Object o = outcomes.get(p);
            if (o instanceof Recorded r) {
                p.result().complete(r);
            } else {
                p.result().completeExceptionally((Throwable) o);
            }
        }
        try {
            afterCommit.afterTelling(recorded);
        } catch (RuntimeException e) {
            log.warn("scheduling newly recorded jobs failed; reconciliation will", e);
        }
    }

    /** Records what is waiting, then stops; later requests are refused. */
    @Override
    public void close() {
        pending.add(STOP);
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
