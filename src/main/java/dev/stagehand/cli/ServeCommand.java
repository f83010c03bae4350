package dev.stagehand.cli;

import dev.stagehand.Settings;
import dev.stagehand.Stagehand;
import dev.stagehand.archive.ArchiveSources.GcsSettings;
import dev.stagehand.common.CallerLimits;
import dev.stagehand.db.H2Urls;
import dev.stagehand.db.Secrets;
import dev.stagehand.queue.Placement;
import dev.stagehand.queue.QueueConfig;
import dev.stagehand.queue.RetryPolicy;
import dev.stagehand.staging.ArchiveLimits;
import dev.stagehand.staging.DiskLimits;
import dev.stagehand.staging.StageService.UploadWait;
import dev.stagehand.staging.transfer.DownloadSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the staging server.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port; 0 = any free port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--static-dir", defaultValue = "static", description = "Where builds are staged (default ./${DEFAULT-VALUE}).")
    Path staticDir;

    @Option(names = "--db", description = "JDBC URL of the job database (default: H2 file ./db/stagehand).")
    String db;

    @Option(names = "--db-password-file", description = "File holding the database user's password (PostgreSQL), so that it is not in the URL, the process list or a log.")
    Path dbPasswordFile;

    @Option(names = "--workers", defaultValue = "4", description = "Concurrent staging jobs (Quartz threads; default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--local-archive-root", description = "Directory under which file:// archives are allowed (repeatable; default ./archive).")
    List<Path> localRoots = new ArrayList<>();

    @Option(names = "--gcs-endpoint", description = "GCS endpoint, e.g. http://127.0.0.1:9023 (default: $STORAGE_EMULATOR_HOST, else Google).")
    String gcsEndpoint;

    @Option(names = "--gcs-anonymous", description = "Send no credentials to GCS (public buckets).")
    boolean gcsAnonymous;

    @Option(names = "--retry-base-ms", defaultValue = "2000", description = "First retry delay (default ${DEFAULT-VALUE}).")
    long retryBaseMs;

    @Option(names = "--retry-factor", defaultValue = "2.0", description = "Retry delay growth (default ${DEFAULT-VALUE}).")
    double retryFactor;

    @Option(names = "--retry-max-ms", defaultValue = "300000", description = "Longest retry delay (default ${DEFAULT-VALUE}).")
    long retryMaxMs;

    @Option(names = "--max-attempts", defaultValue = "5", description = "Attempts before a job fails (default ${DEFAULT-VALUE}).")
    int maxAttempts;

    @Option(names = "--wait-for-upload-s", defaultValue = "600", description = "How long required artifacts may be missing from the archive (default ${DEFAULT-VALUE}).")
    long waitRequired;

    @Option(names = "--optional-wait-for-upload-s", defaultValue = "30", description = "The same for optional artifacts (default ${DEFAULT-VALUE}).")
    long waitOptional;

    @Option(names = "--catalogue", description = "Extra artifact catalogue (JSON) adding to or replacing built-in artifacts.")
    Path catalogue;

    @Option(names = "--max-staged-mb", description = "Most megabytes staged under the static dir; older builds are evicted (default: no cap).")
    Long maxStagedMb;

    @Option(names = "--min-free-mb", description = "Megabytes to keep free on the static dir's filesystem (default: 5%% of it).")
    Long minFreeMb;

    @Option(names = "--slice-threshold-mb", defaultValue = "64", description = "Objects this large or larger are fetched as parallel ranged slices (default ${DEFAULT-VALUE}).")
    long sliceThresholdMb;

    @Option(names = "--download-streams", defaultValue = "8", description = "Connections one large object is fetched over at once (default ${DEFAULT-VALUE}).")
    int downloadStreams;

    @Option(names = "--fast-stream-mibps", defaultValue = "256", description = "A large object whose first stream brings at least this many MiB/s is not split into slices: the store is not what limits it (0: always slice; default ${DEFAULT-VALUE}).")
    long fastStreamMibps;

    @Option(names = "--node-timeout-s", defaultValue = "20", description = "With several nodes: seconds without a check-in after which a node's jobs go to the others (default ${DEFAULT-VALUE}).")
    long nodeTimeoutS;

    @Option(names = "--history-days", defaultValue = "30", description = "Days of ended jobs and finished requests to keep (default ${DEFAULT-VALUE}).")
    int historyDays;

    @Option(names = "--max-archive-members", defaultValue = "" + ArchiveLimits.DEFAULT_MAX_MEMBERS,
            description = "Most entries one archive may have (default ${DEFAULT-VALUE}).")
    int maxArchiveMembers;

    @Option(names = "--max-expansion-ratio", defaultValue = "" + ArchiveLimits.DEFAULT_MAX_EXPANSION_RATIO,
            description = "Most times its own size an archive may unpack to, past 64 MiB (0: no limit; default ${DEFAULT-VALUE}).")
    int maxExpansionRatio;

    @Option(names = "--max-unpacked-mb", defaultValue = "" + ArchiveLimits.DEFAULT_MAX_UNPACKED_MB,
            description = "Most megabytes one artifact's archives may unpack to (default ${DEFAULT-VALUE}).")
    long maxUnpackedMb;

    @Option(names = "--max-request-items", defaultValue = "" + CallerLimits.DEFAULT_MAX_REQUEST_ITEMS,
            description = "Most artifacts and files one request may name (default ${DEFAULT-VALUE}).")
    int maxRequestItems;

    @Option(names = "--max-active-jobs-per-build", defaultValue = "" + CallerLimits.DEFAULT_MAX_ACTIVE_PER_BUILD,
            description = "Most queued, running or waiting jobs of one build (default ${DEFAULT-VALUE}).")
    int maxActivePerBuild;

    @Option(names = "--max-active-jobs", defaultValue = "" + CallerLimits.DEFAULT_MAX_ACTIVE,
            description = "Most queued, running or waiting jobs in all (default ${DEFAULT-VALUE}).")
    int maxActive;

    @Option(names = "--max-waiting-jobs", defaultValue = "" + CallerLimits.DEFAULT_MAX_WAITING,
            description = "Most jobs waiting for their upload in all (default ${DEFAULT-VALUE}).")
    int maxWaiting;

    @Option(names = "--admin-token-file", description = "File holding a token that clean=True, the JSON API's POSTs and other admin calls must send as 'Authorization: Bearer TOKEN' (default: none needed).")
    Path adminTokenFile;

    @Option(names = "--shutdown-timeout-s", defaultValue = "30", description = "Longest a stop may take before the process ends anyway; unfinished jobs resume at the next start (default ${DEFAULT-VALUE}).")
    long shutdownTimeoutS;

    @Option(names = "--placement", defaultValue = "shared", description = "shared: every node stages on one volume they share (one node alone, or NFS); hashed: each node stages on its own disk, a build on the one node its path hashes to (PostgreSQL only; needs --advertise-url). Default ${DEFAULT-VALUE}.")
    String placement;

    @Option(names = "--advertise-url", description = "How peers and redirected clients reach this node, e.g. http://stagehand-3.lab:8080 (required with --placement hashed).")
    String advertiseUrl;

    @Option(names = "--proxy-reads", description = "With --placement hashed: a read asked here for a file homed on another node is fetched from it and passed on, instead of answered 302 (for clients that do not follow redirects).")
    boolean proxyReads;

    @Option(names = "--no-demo", description = "Do not seed the sample build under the first local archive root.")
    boolean noDemo;

    @Option(names = "--config", description = "Settings file: one 'flag = value' line per flag, named as the flags without their dashes (properties or flat TOML); flags given on the command line win.")
    Path config;

    /** The placement the flags ask for; one plain line for a combination that cannot work. */
    private Placement placement(String dbUrl) {
        switch (placement) {
            case "shared":
                if (advertiseUrl != null || proxyReads) {
                    throw new StartupError("--advertise-url and --proxy-reads go with --placement hashed");
                }
                return Placement.SHARED;
            case "hashed":
                if (dbUrl.startsWith("jdbc:h2:")) {
                    throw new StartupError("--placement hashed places builds over the nodes that share one PostgreSQL database (--db jdbc:postgresql:...)");
                }
                if (advertiseUrl == null) {
                    throw new StartupError("--placement hashed needs --advertise-url (how peers and redirected clients reach this node)");
                }
                try {
                    return Placement.hashed(advertiseUrl, proxyReads);
                } catch (IllegalArgumentException e) {
                    throw new StartupError(e.getMessage());
                }
            default:
                throw new StartupError("--placement must be shared or hashed");
        }
    }

    @Override
    public Integer call() throws Exception {
        List<Path> roots = localRoots.isEmpty() ? List.of(Path.of("archive")) : localRoots;
        Path firstRoot = roots.get(0).toAbsolutePath().normalize();
        String dbUrl = db != null ? db : H2Urls.defaultUrl();
        Placement placement = placement(dbUrl);
        checkBeforeStart(roots, dbUrl);
        Settings settings = new Settings(host, port, staticDir, dbUrl, dbPasswordFile,
                new QueueConfig(workers, new RetryPolicy(Duration.ofMillis(retryBaseMs), retryFactor,
                        Duration.ofMillis(retryMaxMs), maxAttempts), Duration.ofMillis(500), Duration.ofDays(historyDays),
                        QueueConfig.DEFAULT_PRUNE_EVERY, Duration.ofSeconds(nodeTimeoutS), new CallerLimits(maxRequestItems, maxActivePerBuild, maxActive, maxWaiting),
                        placement),
                roots, GcsSettings.fromEnvironment(gcsEndpoint, gcsAnonymous),
                new UploadWait(Duration.ofSeconds(waitRequired), Duration.ofSeconds(waitOptional)), catalogue,
                new DiskLimits(maxStagedMb, minFreeMb), new DownloadSettings(sliceThresholdMb << 20, downloadStreams, fastStreamMibps << 20),
                new ArchiveLimits(maxArchiveMembers, maxExpansionRatio, maxUnpackedMb << 20), new Settings.Access(adminTokenFile));
        String demoUrl = noDemo ? null : DemoBuild.seed(firstRoot);
        Stagehand server;
        try {
            server = Stagehand.start(settings);
        } catch (RuntimeException e) {
            if (causedByBind(e)) { // taken between the check and the start
                throw new StartupError(StartupChecks.inUse(host, port));
            }
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (!server.closeWithin(Duration.ofSeconds(shutdownTimeoutS))) {
                    System.err.println("stagehand: stopping took longer than " + shutdownTimeoutS
                            + " s (--shutdown-timeout-s); stopped without waiting: unfinished jobs resume at the next start");
                    Runtime.getRuntime().halt(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "stagehand-shutdown"));
        System.out.printf("stagehand listening on port %d (db %s, static dir %s)%n", server.port(), Secrets.maskUrls(dbUrl),
                staticDir.toAbsolutePath().normalize());
        if (demoUrl != null) {
            System.out.printf("try: curl 'http://127.0.0.1:%d/stage?archive_url=%s&artifacts=full_payload,stateful'%n",
                    server.port(), demoUrl);
        }
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** Every setting that can be judged without the database, before it is opened. */
    private void checkBeforeStart(List<Path> roots, String dbUrl) {
        StartupChecks.port(host, port);
        StartupChecks.atLeast("--workers", workers, 1);
        StartupChecks.atLeast("--max-attempts", maxAttempts, 1);
        StartupChecks.atLeast("--download-streams", downloadStreams, 1);
        StartupChecks.atLeast("--shutdown-timeout-s", shutdownTimeoutS, 0);
        StartupChecks.databaseUrl(dbUrl);
        StartupChecks.readableFile("--catalogue", catalogue);
        StartupChecks.readableFile("--admin-token-file", adminTokenFile);
        StartupChecks.readableFile("--db-password-file", dbPasswordFile);
        // Last: a refused setting above leaves nothing created behind it.
        StartupChecks.writableDirectory("--static-dir", staticDir);
        StartupChecks.readableDirectories("--local-archive-root", roots);
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException || t.getClass().getSimpleName().equals("JavalinBindException")) {
                return true;
            }
        }
        return false;
    }
}
