package dev.stagehand;

import dev.stagehand.api.HttpApi;
import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.db.Database;
import dev.stagehand.metrics.DiskMetrics;
import dev.stagehand.metrics.Metrics;
import dev.stagehand.metrics.QueueMetrics;
import dev.stagehand.queue.JobQueue;
import dev.stagehand.staging.ActiveReads;
import dev.stagehand.staging.BuildAccess;
import dev.stagehand.staging.Catalogue;
import dev.stagehand.staging.ControlFiles;
import dev.stagehand.staging.DiskSpace;
import dev.stagehand.staging.StageService;
import dev.stagehand.staging.StagedBuilds;
import dev.stagehand.staging.StagingArea;
import dev.stagehand.staging.LandingFiles;
import dev.stagehand.staging.StagingDisk;
import dev.stagehand.staging.StagingHandler;
import dev.stagehand.staging.StaticReads;
import dev.stagehand.staging.XBuddy;
import java.io.IOException;
import java.time.Clock;

/** The whole server, wired in dependency order and stopped in reverse. */
public final class Stagehand implements AutoCloseable {
    private final Database database;
    private final JobQueue queue;
    private final HttpApi http;
    private final Metrics metrics;

    private Stagehand(Database database, JobQueue queue, HttpApi http, Metrics metrics) {
        this.database = database;
        this.queue = queue;
        this.http = http;
        this.metrics = metrics;
    }

    public static Stagehand start(Settings settings) throws IOException {
        return start(settings, Clock.systemUTC());
    }

    /** With the ledger's clock given (tests move it by hand). */
    public static Stagehand start(Settings settings, Clock clock) throws IOException {
        Metrics metrics = new Metrics();
        Database database = Database.open(settings.dbUrl(), settings.dbPassword(), settings.queue().workers() + 16);
        StagingArea area = new StagingArea(settings.staticDir());
        Catalogue catalogue = Catalogue.load(settings.catalogueFile());
        JobQueue queue = new JobQueue(database, settings.queue(), clock);
        ActiveReads reads = new ActiveReads();
        BuildAccess access = new BuildAccess(queue.builds(), clock);
        DiskSpace space = new DiskSpace(area, queue.disk(), queue.builds(), reads, access, settings.disk().quotaFor(area));
        DiskMetrics diskMetrics = new DiskMetrics(space);
        diskMetrics.bindTo(metrics.registry());
        QueueMetrics queueMetrics = new QueueMetrics(queue.ledger(), clock);
        queueMetrics.bindTo(metrics.registry());
        ArchiveSources sources = new ArchiveSources(settings.localArchiveRoots(), settings.gcs(), diskMetrics.downloads());
        sources.connectGcs();
        area.cleanLeftovers(queue.ledger().activeJobIds(), queue.runningOnOtherLiveNodes());
        space.recover(queue.unfinishedRemovals());
        LandingFiles landing = new LandingFiles();
        queue.start(new StagingHandler(catalogue, sources, new StagingDisk(area, space, settings.download(), landing, settings.archive()), clock),
                queueMetrics);
        StageService stage = new StageService(catalogue, sources, area, space, queue, access, clock, settings.uploadWait());
        StagedBuilds builds = new StagedBuilds(area);
        HttpApi http = HttpApi.start(settings.host(), settings.port(), new HttpApi.Services(stage, queue, queue.ledger(),
                area, space, reads, landing, builds, new ControlFiles(area, builds), new XBuddy(sources),
                new StaticReads(area, queue.builds()), metrics, clock, settings.access().adminTokenFile()));
        queue.serving(http.port());
        return new Stagehand(database, queue, http, metrics);
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

    /** Graceful stop: no new requests, running jobs stop at a safe point, queued jobs stay queued. */
    @Override
    public void close() {
        http.close();
        queue.close();
        database.close();
        metrics.close();
    }
}
