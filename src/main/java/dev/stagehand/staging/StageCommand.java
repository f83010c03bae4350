package dev.stagehand.staging;

import java.time.Duration;
import java.util.List;

/** A stage request as the HTTP layer parsed it. {@code waitForUpload} null means the configured default. */
public record StageCommand(String archiveUrl, List<String> artifacts, List<String> files, boolean clean, Duration waitForUpload) {
    public StageCommand {
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        files = files == null ? List.of() : List.copyOf(files);
    }
}
