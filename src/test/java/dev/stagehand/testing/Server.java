package dev.stagehand.testing;

import dev.stagehand.Settings;
import dev.stagehand.Stagehand;
import dev.stagehand.archive.ArchiveSources.GcsSettings;
import dev.stagehand.db.types.JobState;
import dev.stagehand.queue.AttemptView;
import dev.stagehand.queue.JobFilter;
import dev.stagehand.queue.JobView;
import dev.stagehand.queue.QueueConfig;
import dev.stagehand.queue.RetryPolicy;
import dev.stagehand.staging.ArchiveLimits;
import dev.stagehand.staging.DiskLimits;
import dev.stagehand.staging.StageService.UploadWait;
import dev.stagehand.staging.transfer.DownloadSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The real server on a loopback port, with a real HTTP client, against a fake GCS. */
public final class Server implements AutoCloseable {
    public final Stagehand stagehand;
    public final Path staticDir;
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Why the server would have stopped itself (its database closed under it), or null: tests keep their JVM. */
    public final java.util.concurrent.atomic.AtomicReference<String> fatal;

    private Server(Stagehand stagehand, Path staticDir, java.util.concurrent.atomic.AtomicReference<String> fatal) {
        this.stagehand = stagehand;
        this.staticDir = staticDir;
        this.fatal = fatal;
    }

    public static Settings settings(Path dir, FakeGcs gcs) {
        return settings(dir, gcs == null ? null : gcs.endpoint());
    }

    public static Settings settings(Path dir, String gcsEndpoint) {
        return settings(dir, gcsEndpoint, dir.resolve("static"), 0);
    }

    /**
     * One of several nodes with hashed placement on the database of {@code dir}: its own static
     * dir ({@code dir/NAME/static}) and a port chosen now, so that its advertise URL is known
     * before it starts.
     */
    public static Settings hashedNode(Path dir, String gcsEndpoint, String name, boolean proxyReads) throws IOException {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Settings s = settings(dir, gcsEndpoint, dir.resolve(name).resolve("static"), port);
        return s.withQueue(s.queue().withPlacement(dev.stagehand.queue.Placement.hashed("http://127.0.0.1:" + port, proxyReads)));
    }

    private static Settings settings(Path dir, String gcsEndpoint, Path staticDir, int port) {
        return new Settings("127.0.0.1", port, staticDir, TestDb.url(dir), null,
                new QueueConfig(4, new RetryPolicy(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 3), Duration.ofMillis(200))
                        .withNodeTimeout(Duration.ofSeconds(4)),
                List.of(dir.resolve("archive")), new GcsSettings(gcsEndpoint, true),
                new UploadWait(Duration.ofSeconds(2), Duration.ofSeconds(1)), null, new DiskLimits(null, 0L), new DownloadSettings(64L << 20, 8, 256L << 20),
                new ArchiveLimits(ArchiveLimits.DEFAULT_MAX_MEMBERS, ArchiveLimits.DEFAULT_MAX_EXPANSION_RATIO,
                        ArchiveLimits.DEFAULT_MAX_UNPACKED_MB << 20), Settings.Access.OPEN);
    }

    /** The same settings with other download settings. */
    public static Settings withDownloads(Settings s, DownloadSettings download) {
        return s.withDownload(download);
    }

    public static Server start(Path dir, FakeGcs gcs) throws IOException {
        return start(settings(dir, gcs));
    }

    public static Server start(Settings settings) throws IOException {
        return start(settings, java.time.Clock.systemUTC());
    }

    public static Server start(Settings settings, java.time.Clock clock) throws IOException {
        var fatal = new java.util.concurrent.atomic.AtomicReference<String>();
        return new Server(Stagehand.start(settings, clock, fatal::set), settings.staticDir(), fatal);
    }

    public String base() {
        return "http://127.0.0.1:" + stagehand.port();
    }

    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base() + pathAndQuery)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Jobs newest first, of one state (its name) or any (null), of one archive URL or any (null). */
    public List<JobView> jobs(String state, String archiveUrl) {
        return stagehand.queue().ledger().jobs(new JobFilter(state == null ? null : JobState.valueOf(state), archiveUrl, 100, 0));
    }

    public JobView job(long id) {
        return stagehand.queue().ledger().job(id).orElseThrow();
    }

    public List<AttemptView> attempts(long jobId) {
        return stagehand.queue().ledger().attempts(jobId);
    }

    public Path build(String buildPath) {
        return staticDir.resolve(buildPath);
    }

    @Override
    public void close() {
        stagehand.close();
    }
}
