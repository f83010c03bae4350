package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveError;
import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.archive.ArchiveUrl;
import dev.stagehand.archive.ObjectInfo;
import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import dev.stagehand.common.RelativePaths;
import dev.stagehand.common.TaskIds;
import dev.stagehand.db.ArchiveIndexes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * Objects asked for by the caching-service protocol ({@code /download/BUCKET/OBJECT}): the
 * object's directory is its build, as for {@code stage?archive_url=gs://BUCKET/DIR&files=NAME},
 * and a miss is that stage request, durable like any other. So an object staged by either way
 * is on disk once, counts for {@code is_staged}, and is covered by quota, eviction and clean.
 */
public final class ObjectCache {
    /** One object: the stage request that fetches it, and where it lands in its build. */
    public record CachedObject(StageRequest request, StageTarget target, String name, String installedAt) {
        /** Where it lands under the static dir. */
        public String staticPath() {
            return request.build().path() + "/" + installedAt;
        }
    }

    /**
     * How to answer a GET: the file is (or will be) at {@code object.staticPath()}; {@code recorded}
     * completes once a request for it is durable (at once for a hit, with {@code hit} set), with
     * whether it created the job (a miss) or joined one already fetching it.
     */
    public record Fetch(CachedObject object, CacheResult hit, FileHashes hashes, CompletableFuture<CacheResult> recorded) {}

    /** The object does not exist in the store (404). */
    public static final class NoSuchObject extends RuntimeException {
        NoSuchObject(String message) {
            super(message);
        }
    }

    /** The store could not be read just now (503 with Retry-After). */
    public static final class StoreUnavailable extends RuntimeException {
        StoreUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Pattern ARCHIVE = Pattern.compile("\\.(tar|tar\\.gz|tgz|tar\\.bz2|tar\\.xz|zip)$");
    private static final Pattern COMPRESSED = Pattern.compile("\\.(gz|tgz|bz2|xz)$");

    private final StageRequests requests;
    private final StageService stage;
    private final ArchiveSources sources;
    private final StagingArea area;
    private final ArchiveIndexes indexes;

    private final ReadPlacement placement;
    /** Metadata reads under way, by object: concurrent misses of one object ask the store once. */
    private final Map<String, CompletableFuture<Optional<ObjectInfo>>> statsUnderWay = new ConcurrentHashMap<>();
    /** A thread per metadata read under way, as when each request read its own: a slow bucket holds up no other. */
    private final ExecutorService statPool = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "object-stat");
        t.setDaemon(true);
        return t;
    });

    public ObjectCache(StageRequests requests, StageService stage, ArchiveSources sources, StagingArea area, ArchiveIndexes indexes, ReadPlacement placement) {
        this.indexes = indexes;
        this.placement = placement;
        this.requests = requests;
        this.stage = stage;
        this.sources = sources;
        this.area = area;
    }

    /** {@code /download}: checks a bucket and object path as a caller sent them; {@link InvalidRequest} (400) when they cannot name one. */
    public CachedObject object(String bucket, String object) {
        Path path = Path.split(object);
        return cached(bucket, path.dir(), new StageTarget.NamedFile(path.name()), path.name(), path.name());
    }

    /** {@code /extract}: one member of a tar (plain, gz, bz2, xz) or zip object. */
    public CachedObject member(String bucket, String archive, String member) {
        Path path = Path.split(archive);
        if (!ARCHIVE.matcher(path.name()).find()) {
            throw new InvalidRequest("not an archive stagehand can extract from: give a .tar, .tar.gz, .tgz, .tar.bz2, .tar.xz or .zip");
        }
        if (member == null || member.isEmpty()) {
            throw new InvalidRequest("give the member to extract: ?file=NAME");
        }
        checkPath("member name", member);
        StageTarget.Member target = new StageTarget.Member(path.name(), member);
        return cached(bucket, path.dir(), target, path.name(), target.installedAt());
    }

    /** {@code /decompress}: one .gz, .bz2 or .xz object. */
    public CachedObject decompressed(String bucket, String object) {
        Path path = Path.split(object);
        if (!COMPRESSED.matcher(path.name()).find()) {
            throw new InvalidRequest("not a compressed object: give a .gz, .bz2 or .xz");
        }
        StageTarget.Decompressed target = new StageTarget.Decompressed(path.name());
        return cached(bucket, path.dir(), target, path.name(), target.installedAt());
    }

    private CachedObject cached(String bucket, String dir, StageTarget target, String objectName, String installedAt) {
        StageRequest request = requests.requestFor("gs://" + bucket + "/" + dir, target);
        return new CachedObject(request, target, objectName, installedAt);
    }

    /** An object path split into its directory (the build) and its name in it. */
    private record Path(String dir, String name) {
        static Path split(String object) {
            checkPath("object path", object);
            int slash = object.lastIndexOf('/');
            if (slash < 0) {
                throw new InvalidRequest("objects at the top of a bucket are not served: an object's directory is its build");
            }
            return new Path(object.substring(0, slash), object.substring(slash + 1));
        }
    }

    private static void checkPath(String what, String path) {
        if (path == null || !RelativePaths.isClean(path) || path.length() > ArchiveUrl.MAX_LENGTH) {
            throw new InvalidRequest("invalid " + what + ": it must be relative, without '..', empty parts or control characters");
        }
    }

    /**
     * A hit when the file is installed; otherwise the object's metadata is read (a missing object
     * is a 404 now, not a job that waits for an upload) and a stage request for it is recorded,
     * joining the job that is fetching it already if there is one; kept with the ids of the lab's
     * task that asked.
     */
    public Fetch fetch(CachedObject object, TaskIds task) throws IOException {
        // Not on disk here: most likely a miss, which needs the object's metadata. On a server just
        // started the store's round trip and the ledger's each take about 0.1 s: read it meanwhile.
        CompletableFuture<Optional<ObjectInfo>> metadata = !onDisk(object) && stage.homeHere(object.request().build()) ? statSoon(object) : null;
        long home = stage.buildIdOf(object.request().build());
        // With hashed placement a build's home may be another node: this node serves its own copy
        // only while that is the copy that serves the build (see ReadPlacement).
        Optional<Long> copyHere = stage.holdsHere(home) ? Optional.of(home) : Optional.empty();
        if (copyHere.isEmpty()) {
            if (placement.elsewhere(object.staticPath()).isPresent()) {
                // to the home, not to another node's copy: that copy may lack this object, and only the home fetches it
                throw new HeldElsewhere(stage.holderOf(home));
            }
            copyHere = stage.copyHere(object.request().build());
        }
        if (copyHere.isPresent() && onDisk(object)) { // looked at again: it may have landed meanwhile
            // A hit only if this build installed it: another bucket's build may share the path.
            long buildId = copyHere.get();
            Optional<FileHashes> installed = area.installedBy(buildId, object.target().key(), object.installedAt());
            if (installed.isPresent()) {
                // Checksums only as kept with the bytes: a fresh stat could describe a newer object.
                FileHashes hashes = object.target() instanceof StageTarget.NamedFile ? installed.get() : FileHashes.NONE;
                return new Fetch(object, CacheResult.HIT, hashes, CompletableFuture.completedFuture(CacheResult.HIT));
            }
        }
        if (!stage.holdsHere(home)) {
            throw new HeldElsewhere(stage.holderOf(home)); // the home fetches it, once for every node's readers
        }
        ObjectInfo info = (metadata != null ? await(metadata) : stat(object)).orElseThrow(() -> new NoSuchObject("no such object: "
                + CallerText.quote(object.request().build().url().url() + "/" + object.name())));
        if (object.target() instanceof StageTarget.Member m && !mayHold(object, info, m.member())) {
            throw new NoSuchObject("the archive has no member " + CallerText.quote(m.member()));
        }
        sources.handOver(object.request().build().url(), info); // the job need not ask the store again
        CompletableFuture<CacheResult> recorded = stage.submit(object.request().by(task), false, Duration.ZERO)
                .thenApply(submission -> CacheResult.ofRecorded(submission.createdJobs()));
        // The archive's checksums are those of the object, not of a member or of the decompressed bytes.
        FileHashes hashes = object.target() instanceof StageTarget.NamedFile ? FileHashes.of(info) : FileHashes.NONE;
        return new Fetch(object, null, hashes, recorded);
    }

    /** False when this generation of the archive was indexed and the index lacks the member: a 404 with no job. */
    private boolean mayHold(CachedObject object, ObjectInfo archive, String member) {
        long buildId = stage.buildIdOf(object.request().build());
        return indexes.find(buildId, archive.name(), archive.generation()).map(index -> indexes.member(index, member).isPresent())
                .orElse(true);
    }

    /** The object's metadata, read on the pool; joined by every miss of the same object meanwhile. */
    private CompletableFuture<Optional<ObjectInfo>> statSoon(CachedObject object) {
        String key = object.request().build().url().url() + "/" + object.name();
        CompletableFuture<Optional<ObjectInfo>> started = new CompletableFuture<>();
        CompletableFuture<Optional<ObjectInfo>> underWay = statsUnderWay.putIfAbsent(key, started);
        if (underWay != null) {
            return underWay;
        }
        statPool.execute(() -> {
            try {
                started.complete(stat(object));
            } catch (Throwable e) { // even an Error: the callers joined to this read must not wait forever
                started.completeExceptionally(e);
            } finally {
                statsUnderWay.remove(key, started);
            }
        });
        return started;
    }

    /** The metadata read's answer, or its NoSuchObject or StoreUnavailable as thrown here. */
    private static Optional<ObjectInfo> await(CompletableFuture<Optional<ObjectInfo>> metadata) {
        try {
            return metadata.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private boolean onDisk(CachedObject object) {
        return Files.isRegularFile(area.root().resolve(object.staticPath()), LinkOption.NOFOLLOW_LINKS);
    }

    private Optional<ObjectInfo> stat(CachedObject object) {
        try {
            return sources.open(object.request().build().url()).stat(object.name());
        } catch (ArchiveError e) {
            if (e.permanent()) {
                throw new NoSuchObject(e.getMessage());
            }
            throw new StoreUnavailable(e.getMessage(), e);
        } catch (IOException e) {
            throw new StoreUnavailable("the store could not be read: " + e.getMessage(), e);
        }
    }
}
