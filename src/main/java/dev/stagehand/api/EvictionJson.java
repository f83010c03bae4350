package dev.stagehand.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stagehand.queue.EvictionView;
import java.time.Instant;

/** An eviction as the JSON API shows it. */
record EvictionJson(long id, @JsonProperty("build_id") long buildId, @JsonProperty("build_path") String buildPath,
        @JsonProperty("evicted_at") Instant evictedAt, String reason, @JsonProperty("bytes_freed") long bytesFreed, String node) {

    static EvictionJson of(EvictionView e) {
        return new EvictionJson(e.id(), e.buildId(), e.buildPath(), e.evictedAt(), e.reason(), e.bytesFreed(), e.node());
    }
}
