package dev.stagehand.staging;

import dev.stagehand.archive.BuildRef;
import dev.stagehand.common.TaskIds;
import java.util.List;

/**
 * A caller's stage or is_staged request, parsed and checked once ({@link StageRequests#request}):
 * the build, the artifact and file names as given, one target per job they ask for, and the ids
 * of the lab's task that asked.
 */
public record StageRequest(BuildRef build, List<String> artifacts, List<String> files, List<StageTarget> targets, TaskIds task) {
    public StageRequest {
        artifacts = List.copyOf(artifacts);
        files = List.copyOf(files);
        targets = List.copyOf(targets);
    }

    public StageRequest(BuildRef build, List<String> artifacts, List<String> files, List<StageTarget> targets) {
        this(build, artifacts, files, targets, TaskIds.NONE);
    }

    /** The same request, made by the lab's task {@code task}. */
    public StageRequest by(TaskIds task) {
        return new StageRequest(build, artifacts, files, targets, task);
    }
}
