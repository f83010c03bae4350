package dev.stagehand.staging;

import dev.stagehand.archive.BuildRef;
import java.util.List;

/**
 * A caller's stage or is_staged request, parsed and checked once ({@link StageService#request}):
 * the build, the artifact and file names as given, and one target per job they ask for.
 */
public record StageRequest(BuildRef build, List<String> artifacts, List<String> files, List<StageTarget> targets) {
    public StageRequest {
        artifacts = List.copyOf(artifacts);
        files = List.copyOf(files);
        targets = List.copyOf(targets);
    }
}
