package dev.stagehand.staging;

import dev.stagehand.archive.BuildRef;
import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import dev.stagehand.queue.BuildLedger;
import dev.stagehand.queue.JobStates;
import dev.stagehand.queue.JobView;
import dev.stagehand.queue.Ledger;
import java.util.Optional;

/**
 * Where a staged build's files are, and which files a job under way will still install: the lab
 * RPCs' questions (locate_file, setup_telemetry) and a /static reader's, who waits for a file
 * that is coming rather than taking a 404.
 */
public final class BuildFiles {
    private final Catalogue catalogue;
    private final StagingArea area;
    private final BuildLedger builds;
    private final Ledger ledger;

    public BuildFiles(Catalogue catalogue, StagingArea area, BuildLedger builds, Ledger ledger) {
        this.catalogue = catalogue;
        this.area = area;
        this.builds = builds;
        this.ledger = ledger;
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

    /** Where the telemetry sources of a staged build are, on this machine's disk (the devserver answered the same). */
    public String telemetryDir(BuildRef build) {
        return area.buildDir(build.path()).resolve(StageTarget.Telemetry.DIR).toString();
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
}
