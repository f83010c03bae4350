package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveError;
import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.archive.ArchiveUrl;
import dev.stagehand.archive.ObjectInfo;
import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import dev.stagehand.common.RelativePaths;
import dev.stagehand.queue.Submission;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Objects asked for by the caching-service protocol ({@code /download/BUCKET/OBJECT}): the
 * object's directory is its build, as for {@code stage?archive_url=gs://BUCKET/DIR&files=NAME},
 * and a miss is that stage request, durable like any other. So an object staged by either way
 * is on disk once, counts for {@code is_staged}, and is covered by quota, eviction and clean.
 */
public final class ObjectCache {
    /** What a GET found: the file on disk, a job already fetching it, or nothing (a new job). */
    public enum Result { HIT, JOINED, MISS }

    /** One object: the stage request that fetches it and where it lands under the static dir. */
    public record CachedObject(StageRequest request, String name, String staticPath) {}

    /**
     * How to answer a GET: the file is (or will be) at {@code object.staticPath()}; {@code recorded}
     * completes once a miss's request is durable (at once for a hit).
     */
    public record Fetch(CachedObject object, Result result, FileHashes hashes, CompletableFuture<?> recorded) {}

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

    private final StageService stage;
    private final ArchiveSources sources;
    private final StagingArea area;
    private final LandingFiles landing;

    public ObjectCache(StageService stage, ArchiveSources sources, StagingArea area, LandingFiles landing) {
        this.stage = stage;
        this.sources = sources;
        this.area = area;
        this.landing = landing;
    }

    /** Checks a bucket and object path as a caller sent them; {@link InvalidRequest} (400) when they cannot name an object. */
    public CachedObject object(String bucket, String object) {
        if (object == null || !RelativePaths.isClean(object) || object.length() > ArchiveUrl.MAX_LENGTH) {
            throw new InvalidRequest("invalid object path: it must be relative, without '..', empty parts or control characters");
        }
        int slash = object.lastIndexOf('/');
        if (slash < 0) {
            throw new InvalidRequest("objects at the top of a bucket are not served: an object's directory is its build");
        }
        String name = object.substring(slash + 1);
        StageRequest request = stage.request("gs://" + bucket + "/" + object.substring(0, slash), List.of(), List.of(name));
        return new CachedObject(request, name, request.build().path() + "/" + name);
    }

    /**
     * A hit when the file is installed; otherwise the object's metadata is read (a missing object
     * is a 404 now, not a job that waits for an upload) and a stage request for it is recorded,
     * joining the job that is fetching it already if there is one.
     */
    public Fetch fetch(CachedObject object) throws IOException {
        StageTarget target = object.request().targets().get(0);
        if (Files.isRegularFile(area.root().resolve(object.staticPath()), LinkOption.NOFOLLOW_LINKS)) {
            long buildId = stage.buildIdOf(object.request().build());
            Optional<FileHashes> kept = area.hashes(buildId, target.key(), object.name());
            FileHashes hashes = kept.isPresent() ? kept.get() : stat(object).map(ObjectCache::hashesOf).orElse(FileHashes.NONE);
            return new Fetch(object, Result.HIT, hashes, CompletableFuture.completedFuture(null));
        }
        ObjectInfo info = stat(object).orElseThrow(() -> new NoSuchObject("no such object: "
                + CallerText.quote(object.request().build().url().url() + "/" + object.name())));
        boolean inFlight = landing.find(object.staticPath()).isPresent() || stage.mayProduce(object.staticPath());
        CompletableFuture<Submission> recorded = stage.submit(object.request(), false, Duration.ZERO);
        return new Fetch(object, inFlight ? Result.JOINED : Result.MISS, hashesOf(info), recorded);
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

    private static FileHashes hashesOf(ObjectInfo info) {
        return new FileHashes(info.crc32cBase64(), info.md5Base64());
    }
}
