package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveError;
import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.archive.ArchiveUrl;
import dev.stagehand.archive.BuildRef;
import dev.stagehand.queue.JobHandler;
import dev.stagehand.queue.JobRun;
import dev.stagehand.queue.NotReadyYet;
import dev.stagehand.queue.PermanentFailure;
import dev.stagehand.queue.WaitingBuild;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The queue's handler for staging jobs, and the one place where a job meets staging: it runs
 * {@link ArtifactStager} for a job and translates staging's failures into the queue's
 * (permanent, retryable, not uploaded yet). No other class uses the queue's job side
 * (PackageDependenciesTest); the rest of staging reaches the queue through its doors only.
 */
public final class StagingHandler implements JobHandler {
    private final Catalogue catalogue;
    private final ArchiveSources sources;
    private final StagingDisk disk;
    private final StagingArea area;
    private final Clock clock;
    private final PlanLookahead lookahead;

    public StagingHandler(Catalogue catalogue, ArchiveSources sources, StagingDisk disk, Clock clock, PlanLookahead lookahead) {
        this.lookahead = lookahead;
        this.catalogue = catalogue;
        this.sources = sources;
        this.disk = disk;
        this.area = disk.area();
        this.clock = clock;
    }

    @Override
    public void run(JobRun run) throws Exception {
        StageTarget target = StageTarget.ofKey(run.artifact());
        List<List<Rule>> alternatives = catalogue.rulesFor(target)
                .orElseThrow(() -> new PermanentFailure("unknown artifact '" + run.artifact() + "'"));
        BuildRef build = new BuildRef(ArchiveUrl.parse(run.archiveUrl()), run.buildPath());
        ArchiveSource source = target instanceof StageTarget.Telemetry
                ? sources.openStaged(area.buildDir(build.path()), area.buildDir(build.path()).resolve("autotest/packages"))
                : sources.open(build.url());
        ArtifactStager stager = new ArtifactStager(source, build, new ArtifactStager.JobRef(run.jobId(), run.buildId(), run.attempt()),
                disk, run::progress, run::mark, target instanceof StageTarget.Member);
        try {
            Optional<String> sole = target.soleObject();
            // The first attempt may use what the request read a moment ago; a retry reads afresh.
            boolean first = run.attempt() == 1;
            Optional<ArtifactStager.Plan> planned;
            if (sole.isPresent()) {
                planned = stager.plan(alternatives, sole.get(), first ? sources.handedOver(build.url(), sole.get()) : Optional.empty());
            } else { // the listing read ahead for this job, and then the metadata read with it: one snapshot
                Optional<List<String>> listed = first ? lookahead.take(build, run.artifact(), run.createdAt()) : Optional.empty();
                planned = stager.plan(alternatives, listed, name -> listed.isPresent() ? sources.handedOver(build.url(), name) : Optional.empty());
            }
            ArtifactStager.Plan plan = planned.orElseThrow(() -> notThereYet(run, source.describe()));
            stager.stage(plan, run.artifact(), run::checkClaim);
        } catch (StagingFailure e) {
            throw switch (e.kind()) {
                case PERMANENT -> new PermanentFailure(area.withoutServerPaths(e.getMessage()), e);
                case NO_SPACE -> new IOException(area.withoutServerPaths(e.getMessage()), e); // retried: space may be freed meanwhile
            };
        } catch (ArchiveError e) {
            throw e.permanent() ? new PermanentFailure(e.getMessage(), e) : e;
        } catch (UncheckedIOException e) {
            throw new IOException(area.withoutServerPaths(describe(e.getCause())), e.getCause());
        } catch (IOException e) { // said to callers and kept in the ledger: paths relative to the static dir
            throw new IOException(area.withoutServerPaths(describe(e)), e);
        }
    }

    /** A file-system error's message is often just the path ("NoSuchFile"): say what kind of error it is too. */
    private static String describe(IOException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return e instanceof java.nio.file.FileSystemException ? e.getClass().getSimpleName().replace("Exception", "") + ": " + message
                : message;
    }

    /** The artifact is missing: wait (releasing the worker) until the deadline, then fail for good. */
    private Exception notThereYet(JobRun run, String archive) {
        Instant deadline = run.waitDeadline();
        String missing = run.artifact() + " not found in archive " + archive;
        if (deadline == null || !clock.instant().isBefore(deadline)) {
            return new PermanentFailure(missing);
        }
        return new NotReadyYet(missing + " yet; waiting until " + deadline);
    }

    /** One listing of the archive for all of a build's waiting jobs: those whose artifact has arrived. */
    @Override
    public Set<Long> uploaded(WaitingBuild build) throws IOException {
        BuildRef ref = new BuildRef(ArchiveUrl.parse(build.archiveUrl()), build.buildPath());
        List<String> names = null;
        Set<Long> ready = new HashSet<>();
        for (WaitingBuild.Job job : build.jobs()) {
            StageTarget target = StageTarget.ofKey(job.artifact());
            Optional<List<List<Rule>>> alternatives = catalogue.rulesFor(target);
            if (target instanceof StageTarget.Telemetry || alternatives.isEmpty()) {
                ready.add(job.id()); // its own source, or nothing to wait for: the worker decides
                continue;
            }
            if (names == null) {
                names = sources.open(ref.url()).list();
            }
            if (ArtifactStager.firstComplete(alternatives.get(), names, ref.name()).isPresent()) {
                ready.add(job.id());
            }
        }
        return ready;
    }

    /** A job that ended for good without succeeding keeps nothing for a resume. */
    @Override
    public void discard(long jobId) {
        try {
            StagingArea.deleteTree(area.partialDir(jobId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
