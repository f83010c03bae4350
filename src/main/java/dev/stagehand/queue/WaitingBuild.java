package dev.stagehand.queue;

import java.time.Instant;
import java.util.List;

/** A build with jobs waiting for their artifacts to be uploaded, as {@link JobHandler#uploaded} sees it. */
public record WaitingBuild(long buildId, String archiveUrl, String buildPath, List<Job> jobs) {
    /** One waiting job: its artifact, since when it exists and until when it may wait. */
    public record Job(long id, String artifact, boolean required, Instant createdAt, Instant waitDeadline) {}
}
