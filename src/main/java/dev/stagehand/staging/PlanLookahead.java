package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.archive.BuildRef;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads ahead, while a stage request is recorded and its job claimed, what the job's first
 * attempt reads before its first byte: the build's listing, and the metadata of the objects its
 * plan selects (handed over through {@link ArchiveSources#handOver}). On a server just started
 * those are two cold round trips to the store, about 0.1 s, that would otherwise come after the
 * claim.
 *
 * <p>The attempt takes the listing once, and only while fresh ({@link #FRESH_NANOS}); a retry,
 * an upload check or a late job lists for itself. One read ahead per build and artifact within
 * the freshness however many callers ask: a herd costs one listing. A failed read ahead changes
 * nothing: the attempt lists for itself and meets the error as it would have. Only artifacts
 * that need a listing are read ahead (a named file's job makes one stat, as before).
 */
public final class PlanLookahead implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PlanLookahead.class);
    static final long FRESH_NANOS = 10_000_000_000L;
    static final int PRUNE_ABOVE = 10_000;
    /** Objects whose metadata is read ahead per artifact; an artifact of many files stats the rest itself. */
    static final int STATS_PER_ARTIFACT = 4;
    /** Reads ahead waiting for a thread; past it a request simply reads nothing ahead. */
    static final int MOST_WAITING = 64;

    private final class Ahead {
        final CompletableFuture<List<String>> names;
        final long atNanos = System.nanoTime();
        boolean taken;

        Ahead(CompletableFuture<List<String>> names) {
            this.names = names;
        }

        boolean fresh(long now) {
            return now - atNanos <= freshNanos;
        }
    }

    private final Catalogue catalogue;
    private final ArchiveSources sources;
    private final Map<String, Ahead> ahead = new ConcurrentHashMap<>();
    private final ExecutorService readers;
    private final long freshNanos;

    public PlanLookahead(Catalogue catalogue, ArchiveSources sources) {
        this(catalogue, sources, FRESH_NANOS);
    }

    /** With its freshness given (tests). */
    PlanLookahead(Catalogue catalogue, ArchiveSources sources, long freshNanos) {
        this.freshNanos = freshNanos;
        this.catalogue = catalogue;
        this.sources = sources;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(MOST_WAITING), r -> {
            Thread t = new Thread(r, "plan-lookahead");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.readers = pool;
    }

    /** Starts reading ahead for those of {@code targets} that need a listing and none was read for within the freshness. */
    void start(BuildRef build, List<StageTarget> targets) {
        long now = System.nanoTime();
        if (ahead.size() > PRUNE_ABOVE) {
            ahead.values().removeIf(a -> !a.fresh(now));
        }
        CompletableFuture<List<String>> names = new CompletableFuture<>();
        List<StageTarget> mine = new ArrayList<>();
        for (StageTarget target : targets) {
            if (target.soleObject().isPresent() || target instanceof StageTarget.Telemetry || catalogue.rulesFor(target).isEmpty()) {
                continue; // a named file's job makes one stat, as before; the others read nothing from the store
            }
            Ahead ours = new Ahead(names);
            // Atomic per build and artifact: of callers arriving together, one reads ahead.
            if (ahead.compute(key(build, target), (k, earlier) -> earlier != null && earlier.fresh(now) ? earlier : ours) == ours) {
                mine.add(target);
            }
        }
        if (mine.isEmpty()) {
            return;
        }
        try {
            readers.execute(new Read(build, mine, names));
        } catch (RejectedExecutionException busy) {
            names.completeExceptionally(busy); // too many at once, or closing: the attempts list for themselves
        }
    }

    /** One read ahead; a class of its own so that a close can fail those never started (their takers stop waiting). */
    private final class Read implements Runnable {
        final BuildRef build;
        final List<StageTarget> targets;
        final CompletableFuture<List<String>> names;

        Read(BuildRef build, List<StageTarget> targets, CompletableFuture<List<String>> names) {
            this.build = build;
            this.targets = targets;
            this.names = names;
        }

        @Override
        public void run() {
            try {
                ArchiveSource source = sources.open(build.url());
                List<String> listing = source.list();
                try {
                    for (StageTarget target : targets) {
                        for (String name : selected(target, listing, build.name())) {
                            source.stat(name).ifPresent(info -> sources.handOver(build.url(), info));
                        }
                    }
                } catch (Exception | Error e) { // the attempt stats what it was not handed
                    log.debug("reading the metadata ahead for {} failed", build.path(), e);
                }
                // Given once the metadata is handed over: the attempt, waiting for the listing,
                // then finds it rather than reading it a second time.
                names.complete(listing);
            } catch (Exception | Error e) {
                names.completeExceptionally(e);
                log.debug("reading ahead for {} failed; its jobs read for themselves", build.path(), e);
            }
        }
    }

    /** The objects the first complete alternative of the target's rules would apply, at most {@link #STATS_PER_ARTIFACT}. */
    private List<String> selected(StageTarget target, List<String> names, String buildName) {
        List<String> objects = new ArrayList<>();
        catalogue.rulesFor(target).flatMap(alternatives -> ArtifactStager.firstComplete(alternatives, names, buildName))
                .ifPresent(rules -> rules.forEach(rule -> objects.addAll(rule.select(names, buildName))));
        return objects.stream().distinct().limit(STATS_PER_ARTIFACT).toList();
    }

    /**
     * The build's listing read ahead for this artifact, once and while fresh (waiting for it if
     * it is still being read); empty when there is none or it failed.
     */
    Optional<List<String>> take(BuildRef build, String artifactKey) {
        Ahead a = ahead.get(build.url().url() + "\n" + artifactKey);
        if (a == null) {
            return Optional.empty();
        }
        synchronized (a) {
            if (a.taken || !a.fresh(System.nanoTime())) {
                return Optional.empty();
            }
            a.taken = true;
        }
        try {
            return Optional.of(a.names.get(60, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception failed) {
            return Optional.empty();
        }
    }

    private static String key(BuildRef build, StageTarget target) {
        return build.url().url() + "\n" + target.key(); // no newline in a clean archive URL
    }

    /** Stops reading ahead; reads not started yet fail, so that no attempt waits for them. */
    @Override
    public void close() {
        for (Runnable never : readers.shutdownNow()) {
            ((Read) never).names.completeExceptionally(new IllegalStateException("the server is stopping"));
        }
    }
}
