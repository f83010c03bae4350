package dev.stagehand.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stagehand.db.types.BuildState;
import dev.stagehand.queue.BuildView;
import java.time.Instant;

/** A build as the JSON API shows it. */
record BuildJson(long id, @JsonProperty("archive_url") String archiveUrl, @JsonProperty("build_path") String buildPath,
        BuildState state, @JsonProperty("staged_bytes") long stagedBytes, @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("last_access_at") Instant lastAccessAt, @JsonProperty("last_evicted_at") Instant lastEvictedAt, String holder) {

    static BuildJson of(BuildView b) {
        return new BuildJson(b.id(), b.archiveUrl(), b.buildPath(), b.state(), b.stagedBytes(), b.createdAt(),
                b.lastAccessAt(), b.lastEvictedAt(), b.holder().isEmpty() ? null : b.holder());
    }
}
