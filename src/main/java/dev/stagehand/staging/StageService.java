package dev.stagehand.staging;

import dev.stagehand.archive.BuildRef;
import dev.stagehand.db.types.JobState;
import dev.stagehand.db.types.RequestOutcome;
import dev.stagehand.queue.BuildLedger;
import dev.stagehand.queue.JobQueue;
import dev.stagehand.queue.JobSpec;
import dev.stagehand.queue.JobView;
import dev.stagehand.queue.Ledger;
import dev.stagehand.queue.Submission;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A checked stage request ({@link StageRequests}) becomes durable here: its job specs (required
 * ones plus optional related artifacts) are submitted to the queue against the build's copy at
 * its home, a caller waits on the outcome, and "is it staged?" is answered ({@link IsStaged}).
 */
public final class StageService {
    private final Catalogue catalogue;
    private final StageRequests requests;
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
    private final IsStaged isStaged;
    private final PlanLookahead lookahead;

    /** How long required and optional jobs wait for an artifact that is not in the archive yet. */
    public record UploadWait(Duration required, Duration optional) {}

    public StageService(Catalogue catalogue, StageRequests requests, StagingArea area, DiskSpace space, JobQueue queue,
            BuildAccess access, Clock clock, UploadWait uploadWait, PlanLookahead lookahead) {
        this.lookahead = lookahead;
        this.catalogue = catalogue;
        this.requests = requests;
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
        if (here) { // what a new job's attempt reads first is read while the request is recorded and the job claimed
            lookahead.start(build, req.targets(), t -> area.onDisk(buildId, build.path(), t.key()));
        }
        return queue.submitAsync(buildId, specs, String.join(",", req.artifacts()), String.join(",", req.files()), req.task(),
                key -> here ? area.onDisk(buildId, build.path(), key) : builds.stagedInLedger(buildId, key));
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

    /** Whether this node is the build's home now (always with a shared volume): its misses are fetched here. */
    boolean homeHere(BuildRef build) {
        return queue.homes().homeOf(build.path()).equals(queue.homes().self());
    }

    /**
     * The id of the build's copy at its home (the shared volume's, or with hashed placement its
     * home node's), created on first use; a copy's id never changes: kept in memory.
     */
    long buildIdOf(BuildRef build) {
        String home = queue.homes().homeOf(build.path());
        long id = buildIds.computeIfAbsent(home + "\n" + build.url().url(), key -> builds.copyId(build.url().url(), build.path(), home));
        requests.hasRow(build);
        return id;
    }
}
