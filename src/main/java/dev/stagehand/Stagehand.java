package dev.stagehand;

import dev.stagehand.api.HttpApi;
import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.db.ArchiveIndexes;
import dev.stagehand.db.Database;
import dev.stagehand.db.DatabaseWatch;
import dev.stagehand.metrics.DiskMetrics;
import dev.stagehand.metrics.Metrics;
import dev.stagehand.metrics.QueueMetrics;
import dev.stagehand.queue.JobQueue;
import dev.stagehand.staging.ActiveReads;
import dev.stagehand.staging.BuildAccess;
import dev.stagehand.staging.BuildFiles;
import dev.stagehand.staging.Catalogue;
import dev.stagehand.staging.DiskSpace;
import dev.stagehand.staging.LandingFiles;
import dev.stagehand.staging.ObjectCache;
import dev.stagehand.staging.PlanLookahead;
import dev.stagehand.staging.ReadPlacement;
import dev.stagehand.staging.StageRequests;
import dev.stagehand.staging.StageService;
import dev.stagehand.staging.StagingArea;
import dev.stagehand.staging.StagingDisk;
import dev.stagehand.staging.StagingHandler;
import dev.stagehand.staging.StaticReads;
import dev.stagehand.staging.lab.ControlFiles;
import dev.stagehand.staging.lab.StagedBuilds;
import dev.stagehand.staging.lab.XBuddy;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/** The whole server, wired in dependency order and stopped in reverse. */
public final class Stagehand implements AutoCloseable {
    private final Database database;
    private final JobQueue queue;
    private final HttpApi http;
    private final Metrics metrics;
    private final DatabaseWatch watch;
    private final BuildAccess access;
    private final PlanLookahead lookahead;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private Stagehand(Database database, JobQueue queue, HttpApi http, Metrics metrics, DatabaseWatch watch, BuildAccess access,
            PlanLookahead lookahead) {
        this.lookahead = lookahead;
        this.database = database;
        this.queue = queue;
        this.http = http;
        this.metrics = metrics;
        this.watch = watch;
        this.access = access;
    }

    /** What to do when the server cannot go on (its database closed under it). */
    public interface Fatal {
        /** Says why in one line on stderr and stops the process at once (exit 75), for a supervisor to restart it. */
        Fatal EXIT = reason -> {
            System.err.println("stagehand: " + reason);
            Runtime.getRuntime().halt(75);
        };

        void stop(String reason);
    }

    /** How often the database is checked for having closed under the server. */
    static final Duration WATCH_EVERY = Duration.ofSeconds(2);

    public static Stagehand start(Settings settings) throws IOException {
        return start(settings, Clock.systemUTC(), Fatal.EXIT);
    }

    /** With the ledger's clock given (tests move it by hand). */
    public static Stagehand start(Settings settings, Clock clock) throws IOException {
        return start(settings, clock, Fatal.EXIT);
    }

    /** With the ledger's clock and what to do when the database closes under the server. */
    public static Stagehand start(Settings settings, Clock clock, Fatal fatal) throws IOException {
        Metrics metrics = new Metrics();
        Database database = Database.open(settings.dbUrl(), settings.dbPassword(), settings.queue().workers() + 16);
        StagingArea area = new StagingArea(settings.staticDir());
        Catalogue catalogue = Catalogue.load(settings.catalogueFile());
        JobQueue queue;
        try {
            queue = new JobQueue(database, settings.queue(), clock);
        } catch (RuntimeException refused) { // e.g. another node of this database has its advertise URL
            database.close();
            throw refused;
        }
        ActiveReads reads = new ActiveReads();
        BuildAccess access = new BuildAccess(queue.buildLedger(), clock);
        DiskSpace space = new DiskSpace(area, queue.buildLedger(), reads, access, settings.disk().quotaFor(area, Database.directoryOf(settings.dbUrl())));
        DiskMetrics diskMetrics = new DiskMetrics(space);
        diskMetrics.bindTo(metrics.registry());
        QueueMetrics queueMetrics = new QueueMetrics(queue.ledger(), clock);
        queueMetrics.bindTo(metrics.registry());
        ArchiveSources sources = new ArchiveSources(settings.localArchiveRoots(), settings.gcs(), diskMetrics.downloads());
        sources.connectGcs();
        area.cleanLeftovers(queue.ledger().activeJobIds(), queue.runningOnOtherLiveNodes());
        space.recover(queue.buildLedger().unfinishedRemovals());
        LandingFiles landing = new LandingFiles();
        ArchiveIndexes indexes = new ArchiveIndexes(database.dsl(), clock);
        PlanLookahead lookahead = new PlanLookahead(catalogue, sources, clock);
        queue.start(new StagingHandler(catalogue, sources, new StagingDisk(area, space, settings.download(), landing, settings.archive(), indexes), clock,
                lookahead), queueMetrics);
        StageRequests requests = new StageRequests(catalogue, sources, area, queue.buildLedger(), queue.limits());
        StageService stage = new StageService(catalogue, requests, area, space, queue, access, clock, settings.uploadWait(), lookahead);
        StagedBuilds builds = new StagedBuilds(area);
        ReadPlacement placement = new ReadPlacement(area, queue.buildLedger(), queue.homes());
        HttpApi http = HttpApi.start(settings.host(), settings.port(), new HttpApi.Services(requests, stage,
                new BuildFiles(catalogue, area, queue.buildLedger(), queue.ledger()), queue, queue.ledger(),
                area, space, reads, landing, builds, new ControlFiles(area, builds), new XBuddy(sources),
                new StaticReads(area, queue.buildLedger()), new ObjectCache(requests, stage, sources, area, indexes, placement),
                placement, queue.placement().proxyReads(), metrics, clock, settings.access().adminTokenFile()));
        queue.serving(http.port());
        return new Stagehand(database, queue, http, metrics, DatabaseWatch.start(database, WATCH_EVERY, fatal::stop), access,
                lookahead);
    }

    public int port() {
        return http.port();
    }

    public JobQueue queue() {
        return queue;
    }

    public Database database() {
        return database;
    }

    /**
     * {@link #close()}, given at most {@code limit}: false when it had not finished by then (a
     * download with no bytes arriving holds its worker), and the caller stops the process anyway;
     * what was running goes back to the queue at the next start.
     */
    public boolean closeWithin(Duration limit) throws InterruptedException {
        Thread closing = new Thread(this::close, "stagehand-close");
        closing.setDaemon(true);
        closing.start();
        closing.join(limit.toMillis());
        return !closing.isAlive();
    }

    /** Graceful stop: no new requests, running jobs stop at a safe point, queued jobs stay queued. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return; // once: a supervisor's stop and a test's cleanup may both call it
        }
        watch.close();
        queue.leaveRing();
        http.close();
        access.close();
        lookahead.close(); // before the queue's close waits for attempts that may wait for a read ahead
        queue.close();
        database.close();
        metrics.close();
    }
}
