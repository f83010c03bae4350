package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.archive.BuildRef;
import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import dev.stagehand.common.LimitReached;
import dev.stagehand.common.RelativePaths;
import dev.stagehand.db.types.JobState;
import dev.stagehand.db.types.RequestOutcome;
import dev.stagehand.queue.BuildLedger;
import dev.stagehand.queue.JobQueue;
import dev.stagehand.queue.JobSpec;
import dev.stagehand.queue.JobStates;
import dev.stagehand.queue.JobView;
import dev.stagehand.queue.Ledger;
import dev.stagehand.queue.Submission;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the HTTP layer calls: check a stage request, turn it into job specs (required ones plus
 * optional related artifacts), submit it, and answer "is it staged?" from the tables and the disk.
 */
public final class StageService {
    /** Longest artifact or file name accepted. */
    public static final int MAX_NAME = 255;
    /** Most characters of artifact names, and of file names, in one request (the ledger keeps them). */
    public static final int MAX_NAMES_TOTAL = 3900;
    /** Longest job key of the caching protocol's targets (the ledger's artifact column holds 1024). */
    static final int MAX_TARGET_KEY = 1000;

    private final Catalogue catalogue;
    private final ArchiveSources sources;
    private final StagingArea area;
    private final DiskSpace space;
    private final JobQueue queue;
    private final Ledger ledger;
    private final BuildLedger builds;
    private final BuildAccess access;
    private final Clock clock;
    private final UploadWait uploadWait;
    // A build's id never changes once written: kept so that hot calls skip the database.
    private final Map<String, Long> buildIds = new ConcurrentHashMap<>();
    /** Archive URLs with a build row: checked for nesting once. */
    private final Set<String> knownUrls = ConcurrentHashMap.newKeySet();
    private final IsStaged isStaged;

    /** How long required and optional jobs wait for an artifact that is not in the archive yet. */
    public record UploadWait(Duration required, Duration optional) {}

    public StageService(Catalogue catalogue, ArchiveSources sources, StagingArea area, DiskSpace space, JobQueue queue,
            BuildAccess access, Clock clock, UploadWait uploadWait) {
        this.catalogue = catalogue;
        this.sources = sources;
        this.area = area;
        this.space = space;
        this.queue = queue;
        this.ledger = queue.ledger();
        this.builds = queue.buildLedger();
        this.access = access;
        this.isStaged = new IsStaged(ledger, builds, area, queue.homes());
        this.clock = clock;
        this.uploadWait = uploadWait;
    }

    public BuildAccess access() {
        return access;
    }

    /**
     * The build an archive URL names, if stagehand may stage it there: not stagehand's own
     * directory, and neither inside nor around another known build (clean and eviction remove a
     * build's whole directory).
     */
    public BuildRef build(String archiveUrl) {
        BuildRef build = sources.resolve(archiveUrl);
        area.checkBuildPath(build.path());
        Optional<String> nested = knownUrls.contains(build.url().url()) ? Optional.empty() : builds.nestedWith(build.path());
        if (nested.isPresent()) {
            throw new InvalidRequest("archive_url " + CallerText.quote(build.url().url()) + " would be staged at "
                    + CallerText.quote(build.path()) + ", which contains or lies inside the staged build "
                    + CallerText.quote(nested.get()));
        }
        return build;
    }

    /** Checks everything a caller sent once; {@link InvalidRequest} (400) for anything that cannot work. */
    public StageRequest request(String archiveUrl, List<String> artifacts, List<String> files) {
        BuildRef build = build(archiveUrl);
        if (artifacts.isEmpty() && files.isEmpty()) {
            throw new InvalidRequest("nothing to stage: give artifacts and/or files");
        }
        checkTotal("artifacts", artifacts);
        checkTotal("files", files);
        int items = artifacts.size() + files.size();
        if (items > queue.limits().maxRequestItems()) {
            throw new LimitReached("--max-request-items", "a request may name at most " + queue.limits().maxRequestItems()
                    + " artifacts and files; this one names " + items + ": split it", Duration.ofSeconds(1));
        }
        Set<StageTarget> targets = new LinkedHashSet<>();
        for (String artifact : artifacts) {
            if (!catalogue.knows(artifact)) {
                throw new InvalidRequest("unknown artifact " + CallerText.quote(artifact) + "; known artifacts: "
                        + String.join(", ", catalogue.names()));
            }
            targets.add(new StageTarget.Artifact(artifact));
        }
        for (String file : files) {
            if (file.length() > MAX_NAME || !RelativePaths.isClean(file)) {
                throw new InvalidRequest("invalid file name " + CallerText.quote(file)
                        + ": must be relative, at most " + MAX_NAME + " characters, without '..', empty parts or control characters");
            }
            targets.add(new StageTarget.NamedFile(file));
        }
        return new StageRequest(build, artifacts, files, new ArrayList<>(targets));
    }

    /** The request for one target of the caching protocol (a file, an archive's member, a decompressed object). */
    StageRequest requestFor(String archiveUrl, StageTarget target) {
        if (target.key().length() > MAX_TARGET_KEY) {
            throw new InvalidRequest("the object or member name is too long: at most " + MAX_TARGET_KEY + " characters in all");
        }
        return new StageRequest(build(archiveUrl), List.of(), List.of(target.key()), List.of(target));
    }

    private static void checkTotal(String what, List<String> names) {
        if (names.stream().mapToInt(n -> n.length() + 1).sum() > MAX_NAMES_TOTAL) {
            throw new InvalidRequest(what + " are longer than " + MAX_NAMES_TOTAL + " characters in all");
        }
    }

    /**
     * Records the request and its jobs durably (after a clean, if asked); completes with what was
     * recorded once it is committed, together with the requests that came at the same moment.
     */
    public CompletableFuture<Submission> submit(StageRequest req, boolean clean, Duration waitForUpload) throws IOException {
        BuildRef build = req.build();
        long buildId = buildIdOf(build);
        boolean here = queue.homes().holdsHere(buildId);
        if (clean && !here) {
            throw new HeldElsewhere(queue.homes().holderOf(buildId)); // only the home can empty its own disk
        }
        access.buildUsed(build.path());
        if (clean) {
            space.clean(buildId, build.path());
        }
        Instant now = clock.instant();
        Duration requiredWait = waitForUpload != null ? waitForUpload : uploadWait.required();
        List<JobSpec> specs = new ArrayList<>();
        for (StageTarget target : req.targets()) {
            specs.add(new JobSpec(target.key(), true, now.plus(requiredWait)));
        }
        for (String artifact : req.artifacts()) {
            for (String related : catalogue.relatedTo(artifact)) {
                specs.add(new JobSpec(new StageTarget.Artifact(related).key(), false, now.plus(uploadWait.optional())));
            }
        }
        return queue.submitAsync(buildId, specs, String.join(",", req.artifacts()), String.join(",", req.files()), req.task(),
                key -> here ? area.onDisk(buildId, build.path(), key) : builds.stagedInLedger(buildId, key));
    }

    /** The request for the telemetry sources of a build (setup_telemetry); stage its autotest_packages first. */
    public StageRequest telemetryRequest(BuildRef build) {
        return new StageRequest(build, List.of(StageTarget.Telemetry.KEY), List.of(), List.of(new StageTarget.Telemetry()));
    }

    /** Where the telemetry sources of a staged build are, on this machine's disk (the devserver answered the same). */
    public String telemetryDir(BuildRef build) {
        return area.buildDir(build.path()).resolve(StageTarget.Telemetry.DIR).toString();
    }

    /**
     * A file that {@code artifact} installed in the build staged at {@code buildPath}, by its name
     * (or its path's end): its path relative to the build's directory.
     */
    public Optional<String> locate(String buildPath, String artifact, String fileName) {
        if (!catalogue.knows(artifact)) {
            throw new InvalidRequest("unknown artifact " + CallerText.quote(artifact));
        }
        for (long buildId : builds.idsAtPath(buildPath)) {
            for (String file : area.installed(buildId, artifact)) {
                if (file.equals(fileName) || file.endsWith("/" + fileName)) {
                    return Optional.of(file);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a queued or running job would install {@code staticPath} (relative to the static dir):
     * a reader of it waits for its bytes rather than getting a 404.
     */
    public boolean mayProduce(String staticPath) {
        for (BuildLedger.StagedBuild build : builds.containing(staticPath)) {
            String file = staticPath.substring(build.buildPath().length() + 1);
            String name = build.buildPath().substring(build.buildPath().lastIndexOf('/') + 1);
            for (JobView job : ledger.jobsOfBuild(build.buildId())) {
                if (JobStates.isActive(job.state()) && catalogue.mayInstall(StageTarget.ofKey(job.artifact()), file, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Completes once the request's outcome is decided, with its required jobs that did not succeed
     * (none when it succeeded: a thousand callers of one artifact cost no read each).
     */
    public CompletableFuture<List<JobView>> awaitFailures(Submission submission) {
        return queue.awaitRequest(submission.requestId()).thenApply(outcome -> {
            if (outcome == RequestOutcome.SUCCEEDED) {
                isStaged.succeeded(submission.buildId(), submission.items().stream().filter(Submission.Item::required)
                        .map(Submission.Item::artifact).toList());
                return List.of();
            }
            return ledger.jobs(submission.requiredJobIds()).stream().filter(j -> j.state() != JobState.SUCCEEDED).toList();
        });
    }

    /** The answer to is_staged: staged, not staged, or failed with reasons. */
    public record StagedStatus(boolean staged, List<String> failures) {}

    public StagedStatus isStaged(StageRequest req) {
        access.buildUsed(req.build().path());
        IsStaged.Status status = isStaged.of(req.build(), req.targets());
        return new StagedStatus(status.staged(), status.failures());
    }

    /** Whether the build copy is on this node's disk (always with a shared volume). */
    public boolean holdsHere(long buildId) {
        return queue.homes().holdsHere(buildId);
    }

    /** The advertise URL of the node holding a build copy. */
    public String holderOf(long buildId) {
        return queue.homes().holderOf(buildId);
    }

    /** This node's own copy of the build, if it has one (with hashed placement, it may not be the home's). */
    Optional<Long> copyHere(BuildRef build) {
        return builds.find(build.url().url(), queue.homes().self());
    }

    /**
     * The id of the build's copy at its home (the shared volume's, or with hashed placement its
     * home node's), created on first use; a copy's id never changes: kept in memory.
     */
    long buildIdOf(BuildRef build) {
        String home = queue.homes().homeOf(build.path());
        long id = buildIds.computeIfAbsent(home + "\n" + build.url().url(), key -> builds.copyId(build.url().url(), build.path(), home));
        knownUrls.add(build.url().url());
        return id;
    }
}
