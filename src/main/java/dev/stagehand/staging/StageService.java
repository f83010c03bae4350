package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.archive.ArchiveUrl;
import dev.stagehand.queue.JobQueue;
import dev.stagehand.queue.JobRecordView;
import dev.stagehand.queue.JobSpec;
import dev.stagehand.queue.JobState;
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
 * What the HTTP layer calls: validate a stage request, turn it into job specs (required ones
 * plus optional related artifacts), submit it, and answer "is it staged?" from the tables and
 * the disk.
 */
public final class StageService {
    private final Catalogue catalogue;
    private final ArchiveSources sources;
    private final StagingArea area;
    private final JobQueue queue;
    private final Clock clock;
    private final UploadWait uploadWait;
    // Rows that never change once written, kept so that hot is_staged calls skip the database:
    // a build's id, and which build + artifact keys have a SUCCEEDED job (job rows are never
    // deleted). Whether the files are still on disk is checked on every call.
    private final Map<String, Long> buildIds = new ConcurrentHashMap<>();
    private final Set<String> succeeded = ConcurrentHashMap.newKeySet();

    /** How long required and optional jobs wait for an artifact that is not in the archive yet. */
    public record UploadWait(Duration required, Duration optional) {}

    public StageService(Catalogue catalogue, ArchiveSources sources, StagingArea area, JobQueue queue, Clock clock,
            UploadWait uploadWait) {
        this.catalogue = catalogue;
        this.sources = sources;
        this.area = area;
        this.queue = queue;
        this.clock = clock;
        this.uploadWait = uploadWait;
    }

    public Catalogue catalogue() {
        return catalogue;
    }

    /** Validates, records the request and its jobs durably, and returns what was recorded. */
    public Submission submit(StageCommand cmd) throws IOException {
        ArchiveUrl url = sources.check(cmd.archiveUrl());
        List<String> jobArtifacts = requestedJobs(cmd.artifacts(), cmd.files());
        String buildPath = sources.buildPath(url);
        long buildId = queue.builds().id(url.url(), buildPath);
        if (cmd.clean()) {
            clean(buildId, buildPath);
        }
        Instant now = clock.instant();
        Duration requiredWait = cmd.waitForUpload() != null ? cmd.waitForUpload() : uploadWait.required();
        List<JobSpec> specs = new ArrayList<>();
        for (String artifact : jobArtifacts) {
            specs.add(new JobSpec(artifact, true, now.plus(requiredWait)));
        }
        for (String artifact : cmd.artifacts()) {
            for (String related : catalogue.relatedTo(artifact)) {
                specs.add(new JobSpec(related, false, now.plus(uploadWait.optional())));
            }
        }
        return queue.submit(buildId, specs, String.join(",", cmd.artifacts()), String.join(",", cmd.files()),
                (build, artifact) -> area.onDisk(build, buildPath, artifact));
    }

    private List<String> requestedJobs(List<String> artifacts, List<String> files) {
        if (artifacts.isEmpty() && files.isEmpty()) {
            throw new InvalidRequest("nothing to stage: give artifacts and/or files");
        }
        Set<String> jobs = new LinkedHashSet<>();
        for (String artifact : artifacts) {
            if (!catalogue.knows(artifact)) {
                throw new InvalidRequest("unknown artifact '" + artifact + "'; known artifacts: " + String.join(", ", catalogue.names()));
            }
            jobs.add(artifact);
        }
        for (String file : files) {
            if (!SafePaths.isSafeFileName(file)) {
                throw new InvalidRequest("invalid file name '" + file + "': must be relative, without '..' or empty parts");
            }
            jobs.add(Catalogue.fileJob(file));
        }
        return new ArrayList<>(jobs);
    }

    private void clean(long buildId, String buildPath) throws IOException {
        boolean running = queue.jobs().ofBuild(buildId).stream().anyMatch(j -> j.state() == JobState.RUNNING);
        if (running) {
            throw new BuildBusy("cannot clean " + buildPath + ": a job of that build is running; try again when it ends");
        }
        area.removeBuild(buildId, buildPath);
    }

    /** Where a build is (or would be) staged, relative to the static dir. */
    public String buildPath(String archiveUrl) {
        return sources.buildPath(sources.check(archiveUrl));
    }

    /** Completes with the required jobs once all of them are terminal. */
    public CompletableFuture<List<JobRecordView>> awaitRequired(Submission submission) {
        List<Long> ids = submission.requiredJobIds();
        return queue.awaitTerminal(ids).thenApply(done -> queue.jobs().findAll(ids));
    }

    /** The answer to is_staged: staged, not staged, or failed with reasons. */
    public record StagedStatus(boolean staged, List<String> failures) {}

    public StagedStatus isStaged(String archiveUrl, List<String> artifacts, List<String> files) {
        ArchiveUrl url = sources.check(archiveUrl);
        List<String> jobArtifacts = requestedJobs(artifacts, files);
        Long buildId = buildIds.get(url.url());
        if (buildId == null) {
            Optional<Long> found = queue.builds().find(url.url());
            if (found.isEmpty()) {
                return new StagedStatus(false, List.of());
            }
            buildId = found.get();
            buildIds.put(url.url(), buildId);
        }
        String buildPath = sources.buildPath(url);
        boolean staged = true;
        List<String> failures = new ArrayList<>();
        for (String artifact : jobArtifacts) {
            String key = buildId + ":" + artifact;
            if (succeeded.contains(key) && area.onDisk(buildId, buildPath, artifact)) {
                continue;
            }
            Optional<JobRecordView> latest = queue.jobs().latest(buildId, artifact);
            if (latest.isPresent() && latest.get().state() == JobState.FAILED) {
                failures.add(artifact + ": " + latest.get().lastError());
            }
            boolean everSucceeded = latest.isPresent() && queue.jobs().lastSucceededExists(buildId, artifact);
            if (everSucceeded) {
                succeeded.add(key);
            }
            staged &= everSucceeded && area.onDisk(buildId, buildPath, artifact);
        }
        return new StagedStatus(staged, failures);
    }
}
