package dev.stagehand.queue;

import java.time.Instant;
import java.util.List;

/** A stage request and the jobs it is linked to. */
public record RequestView(
        long id, long buildId, String artifacts, String files, String outcome,
        Instant createdAt, Instant finishedAt, List<Link> jobs) {

    public record Link(long jobId, boolean required) {}
}
