package dev.stagehand.queue;

import dev.stagehand.common.TaskIds;
import dev.stagehand.db.types.RequestOutcome;
import java.time.Instant;
import java.util.List;

/** A stage request and the jobs it is linked to. */
public record RequestView(
        long id, long buildId, String artifacts, String files, RequestOutcome outcome,
        Instant createdAt, Instant finishedAt, TaskIds task, List<Link> jobs) {

    public record Link(long jobId, boolean required) {}
}
