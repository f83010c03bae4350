package dev.stagehand.archive;

import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Turns archive URLs into sources and build paths, enforcing configuration: file:// only under
 * the allowed roots; gs:// through one shared Storage client whose endpoint follows
 * STORAGE_EMULATOR_HOST (the client itself ignores that variable).
 */
public final class ArchiveSources {
    /**
     * The bucket the start's warm-up requests name; their answers are thrown away. GCS lets no one
     * create a bucket whose name begins with "goog", so no stranger's bucket sees them.
     */
    private static final String WARM_UP_BUCKET = "goog-stagehand-warm-up";
    private final List<Path> localRoots;
    private final GcsSettings gcs;
    private final LongConsumer bytesRead;
    private volatile GcsClient gcsClient;
    private final HandedOverStats handedOver = new HandedOverStats();

    /** {@code bytesRead} hears of every byte read from any archive. */
    public ArchiveSources(List<Path> localRoots, GcsSettings gcs, LongConsumer bytesRead) {
        this.localRoots = localRoots.stream().map(ArchiveSources::real).toList();
        this.gcs = gcs;
        this.bytesRead = bytesRead;
    }

    /** GCS endpoint (null = Google's) and whether to send no credentials (public buckets, emulators). */
    public record GcsSettings(String endpoint, boolean anonymous) {
        public static GcsSettings fromEnvironment(String endpointFlag, boolean anonymousFlag) {
            String endpoint = endpointFlag != null ? endpointFlag : System.getenv("STORAGE_EMULATOR_HOST");
            if (endpoint != null && !endpoint.contains("://")) {
                endpoint = "http://" + endpoint;
            }
            // An emulator never wants real credentials.
            return new GcsSettings(endpoint, anonymousFlag || endpoint != null);
        }
    }

    /** Parses a caller's archive URL and checks it against configuration; {@link InvalidRequest} when refused. */
    public BuildRef resolve(String raw) {
        return resolve(ArchiveUrl.parse(raw));
    }

    /** The build an archive URL names, staged under its path (gs://) or its path below its root (file://). */
    public BuildRef resolve(ArchiveUrl url) {
        if (url.scheme().equals("gs")) {
            return new BuildRef(url, url.path());
        }
        Path root = localRoot(url);
        return new BuildRef(url, root.relativize(real(Path.of("/" + url.path()))).toString().replace('\\', '/'));
    }

    /**
     * A request read this object's metadata just now and records a job for it: the job's first
     * attempt may take it ({@link #handedOver}) instead of asking the store again, and pins the
     * generation the caller was told about.
     */
    public void handOver(ArchiveUrl url, ObjectInfo info) {
        handedOver.put(url.url(), info);
    }

    /** The metadata a request handed over for this object within the last seconds; taken once. */
    public java.util.Optional<ObjectInfo> handedOver(ArchiveUrl url, String name) {
        return handedOver.take(url.url(), name);
    }

    public ArchiveSource open(ArchiveUrl url) {
        ArchiveSource source = url.scheme().equals("gs") ? new GcsArchiveSource(gcs(), url)
                : new FileArchiveSource(localRoot(url), Path.of("/" + url.path()), url.url());
        return new CountedSource(source, bytesRead);
    }

    /** A directory stagehand itself staged (a build's packages), read like a local archive, never outside {@code build}. */
    public ArchiveSource openStaged(Path build, Path dir) {
        return new CountedSource(new FileArchiveSource(build, dir, dir.getFileName().toString()), bytes -> {});
    }

    /**
     * The allowed root the build lies in, compared as real paths: a symlink under a root
     * ({@code root/lnk -> /elsewhere}) does not make {@code root/lnk/build} part of it. A build
     * not there yet (still uploading) is judged by its nearest existing parent.
     */
    private Path localRoot(ArchiveUrl url) {
        Path path = Path.of("/" + url.path()).normalize();
        Path real = real(path);
        return localRoots.stream()
                .filter(root -> real.startsWith(root) && !real.equals(root))
                .findFirst()
                .orElseThrow(() -> new InvalidRequest("file:// archive_url is outside the allowed local archive roots: "
                        + CallerText.quote(url.url())));
    }

    /** The real path of {@code path}: of its nearest existing ancestor, with the missing rest appended. */
    private static Path real(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path missing = absolute.getFileSystem().getPath("");
        for (Path at = absolute; at != null; at = at.getParent()) {
            try {
                return at.toRealPath().resolve(missing);
            } catch (java.io.IOException notThere) {
                missing = at.getFileName().resolve(missing);
            }
        }
        return absolute;
    }

    private GcsClient gcs() {
        GcsClient client = gcsClient;
        if (client == null) {
            synchronized (this) {
                if (gcsClient == null) {
                    gcsClient = GcsClient.create(gcs);
                }
                client = gcsClient;
            }
        }
        return client;
    }

    /**
     * Builds the GCS client now (it logs which endpoint and credentials it uses), not at the first
     * gs:// job, and warms it in the background with two small requests whose answers do not
     * matter, a metadata read and a media read by the jobs' own path: the first real job then
     * finds its classes loaded and a connection open (its first byte came 60 ms later without).
     * The media read also names generation 1, which no stored object has (GCS's generations are
     * timestamps): it can only be refused, never download an object.
     */
    public void connectGcs() {
        GcsClient client = gcs();
        Thread warm = new Thread(() -> {
            try {
                client.storage().get(com.google.cloud.storage.BlobId.of(WARM_UP_BUCKET, "warm-up"));
            } catch (RuntimeException anything) {
                // a 404, a 403 or no network: warm all the same, or the first job will say what is wrong
            }
            try {
                new GcsArchiveSource(client, new ArchiveUrl("gs://" + WARM_UP_BUCKET + "/warm-up", "gs", WARM_UP_BUCKET, "warm-up"))
                        .copyTo(new ObjectInfo("R0", -1, null, null, 1), 0, java.io.OutputStream.nullOutputStream());
            } catch (java.io.IOException | RuntimeException anything) {
                // refused, as it must be
            }
        }, "gcs-warm-up");
        warm.setDaemon(true);
        warm.start();
    }
}
