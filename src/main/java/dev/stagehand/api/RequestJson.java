package dev.stagehand.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stagehand.db.types.RequestOutcome;
import java.time.Instant;
import java.util.List;

/** A stage request with its jobs, as the JSON API shows it. */
record RequestJson(long id, RequestOutcome outcome, @JsonProperty("archive_url") String archiveUrl,
        @JsonProperty("created_at") Instant createdAt, @JsonProperty("finished_at") Instant finishedAt,
        @JsonProperty("swarming_task_id") String swarmingTaskId, String bbid, List<JobJson> jobs) {}
