package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.archive.BuildRef;
import dev.stagehand.common.CallerText;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads ahead, while a stage request is recorded and its job claimed, what the job's first run
 * reads before its first byte from GCS: the build's listing, and the metadata of the objects its
 * plan selects (handed over through {@link ArchiveSources#handOver}). On a server just started
 * those are two cold round trips, about 0.1 s, that would otherwise come after the claim.
 *
 * <p>A job takes a listing once, and only one read for it: begun no later than the job was
 * created, and fresh ({@link #FRESH_NANOS}). So a job's later runs (a retry, the run after its
 * upload arrived) and a job created long after list for themselves, never from a read older than
 * what they wait for. A read still queued {@link #BEGIN_WAIT_MS} after its job comes is called
 * off, and one that takes longer than {@link #WAIT_MS} is not waited for: the job lists itself,
 * as it did before.
 *
 * <p>What it costs the store: one read per build and artifact within the freshness, however
 * many callers ask (a herd costs one), at most {@link #STATS_PER_READ} stats each, two at a time
 * and {@link #MOST_WAITING} waiting; past that nothing is read ahead. Only GCS builds, and only
 * artifacts that need a listing (a named file's job makes its one stat, as before).
 */
public final class PlanLookahead implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PlanLookahead.class);
    static final long FRESH_NANOS = 10_000_000_000L;
    static final long WAIT_MS = 5_000;
    /** How long a job waits for its read to get a thread before it lists for itself. */
    static final long BEGIN_WAIT_MS = 50;
    static final int PRUNE_ABOVE = 1_000;
    /** Objects whose metadata is read ahead per read; the jobs stat the rest themselves. */
    static final int STATS_PER_READ = 4;
    /** Reads waiting for one of the two threads; past it a request reads nothing ahead. */
    static final int MOST_WAITING = 64;

    /** What one build and artifact's job may take: a read, shared by the artifacts of one request. */
    private final class Ahead {
        /** Null once taken: the entry stays, without the listing, so a herd's late callers read nothing again. */
        Read read;
        final long atNanos = System.nanoTime();

        Ahead(Read read) {
            this.read = read;
        }

        boolean fresh(long now) {
            return now - atNanos <= freshNanos;
        }
    }

    private final Catalogue catalogue;
    private final ArchiveSources sources;
    private final Clock clock;
    private final Map<String, Ahead> ahead = new ConcurrentHashMap<>();
    private final ExecutorService readers;
    private final long freshNanos;

    public PlanLookahead(Catalogue catalogue, ArchiveSources sources, Clock clock) {
        this(catalogue, sources, clock, FRESH_NANOS);
    }

    /** With its freshness given (tests). */
    PlanLookahead(Catalogue catalogue, ArchiveSources sources, Clock clock, long freshNanos) {
        this.catalogue = catalogue;
        this.sources = sources;
        this.clock = clock;
        this.freshNanos = freshNanos;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(MOST_WAITING), r -> {
            Thread t = new Thread(r, "plan-lookahead");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.readers = pool;
    }

    /**
     * Starts reading ahead for those of {@code targets} that need a listing, are not {@code staged}
     * already, and none was read for within the freshness.
     */
    void start(BuildRef build, List<StageTarget> targets, Predicate<StageTarget> staged) {
        if (!build.url().scheme().equals("gs")) {
            return; // a local listing is no round trip
        }
        long now = System.nanoTime();
        if (ahead.size() > PRUNE_ABOVE) {
            ahead.values().removeIf(a -> !a.fresh(now));
        }
        Read read = new Read(build, clock.instant());
        for (StageTarget target : targets) {
            if (target.soleObject().isPresent() || target instanceof StageTarget.Telemetry || catalogue.rulesFor(target).isEmpty()
                    || staged.test(target)) {
                continue;
            }
            Ahead ours = new Ahead(read);
            // Atomic per build and artifact: of callers arriving together, one reads ahead.
            if (ahead.compute(key(build, target.key()), (k, earlier) -> earlier != null && earlier.fresh(now) ? earlier : ours) == ours) {
                read.targets.add(target);
            }
        }
        if (read.targets.isEmpty()) {
            return;
        }
        try {
            readers.execute(read);
        } catch (RejectedExecutionException busy) {
            read.callOff(); // too many at once, or closing: the jobs list for themselves
        }
    }

    /**
     * The build's listing read ahead for a job created at {@code jobCreatedAt}: once, if the read
     * began no later than that and is fresh (waiting for it while it runs, up to {@link #WAIT_MS});
     * empty otherwise, and the job lists for itself.
     */
    Optional<List<String>> take(BuildRef build, String artifactKey, Instant jobCreatedAt) {
        String key = key(build, artifactKey);
        Ahead a = ahead.get(key);
        if (a == null) {
            return Optional.empty();
        }
        Read read;
        synchronized (a) {
            // A millisecond's grace: the ledger may keep the job's creation at a coarser precision.
            if (a.read == null || !a.fresh(System.nanoTime()) || a.read.begunAt.isAfter(jobCreatedAt.plusMillis(1))) {
                return Optional.empty();
            }
            read = a.read;
            a.read = null;
        }
        if (!read.awaitBegun(BEGIN_WAIT_MS) && read.callOff()) {
            return Optional.empty(); // queued behind other reads: listing now is sooner
        }
        try {
            return Optional.of(read.names.get(WAIT_MS, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception failedOrSlow) {
            return Optional.empty();
        }
    }

    private static String key(BuildRef build, String artifactKey) {
        return build.url().url() + "\n" + artifactKey; // no newline in a clean archive URL
    }

    /** One read ahead of a build, for the artifacts of one request. */
    private final class Read implements Runnable {
        private static final int WAITING = 0;
        private static final int RUNNING = 1;
        private static final int CALLED_OFF = 2;

        final BuildRef build;
        final Instant begunAt;
        final List<StageTarget> targets = new ArrayList<>();
        final CompletableFuture<List<String>> names = new CompletableFuture<>();
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private final java.util.concurrent.CountDownLatch begun = new java.util.concurrent.CountDownLatch(1);

        Read(BuildRef build, Instant begunAt) {
            this.build = build;
            this.begunAt = begunAt;
        }

        /** Whether the read began (or ended) within {@code millis}. */
        boolean awaitBegun(long millis) {
            try {
                begun.await(millis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return state.get() != WAITING;
        }

        /** Calls the read off if it has not begun; true when it will not run. */
        boolean callOff() {
            if (state.compareAndSet(WAITING, CALLED_OFF)) {
                names.completeExceptionally(new IllegalStateException("called off"));
            }
            return state.get() == CALLED_OFF;
        }

        @Override
        public void run() {
            boolean mine = state.compareAndSet(WAITING, RUNNING);
            begun.countDown();
            if (!mine) {
                return;
            }
            try {
                ArchiveSource source = sources.open(build.url());
                List<String> listing = source.list();
                try {
                    for (String name : selected(listing)) {
                        source.stat(name).ifPresent(info -> sources.handOver(build.url(), info));
                    }
                } catch (Exception | Error e) { // the job stats what it was not handed
                    log.debug("reading metadata ahead for {} failed", CallerText.escape(build.path()), e);
                }
                // Given once the metadata is handed over: the job, waiting for the listing, then
                // finds the metadata too rather than reading it a second time.
                names.complete(listing);
            } catch (Exception | Error e) {
                names.completeExceptionally(e);
                log.debug("reading ahead for {} failed; its jobs read for themselves", CallerText.escape(build.path()), e);
            }
        }

        /** The objects the first complete alternative of each target's rules would apply, at most {@link #STATS_PER_READ}. */
        private List<String> selected(List<String> listing) {
            List<String> objects = new ArrayList<>();
            for (StageTarget target : targets) {
                catalogue.rulesFor(target).flatMap(alternatives -> ArtifactStager.firstComplete(alternatives, listing, build.name()))
                        .ifPresent(rules -> rules.forEach(rule -> objects.addAll(rule.select(listing, build.name()))));
            }
            return objects.stream().distinct().limit(STATS_PER_READ).toList();
        }
    }

    /** Stops reading ahead; reads not begun are called off, so that no job waits for them. */
    @Override
    public void close() {
        for (Runnable never : readers.shutdownNow()) {
            ((Read) never).callOff();
        }
    }
}
