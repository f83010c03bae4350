package dev.stagehand.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stagehand.queue.NodeView;
import java.time.Instant;

/** A node as the JSON API shows it. */
record NodeJson(String id, String host, Integer port, @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("last_seen_at") Instant lastSeenAt, @JsonProperty("stopped_at") Instant stoppedAt, boolean alive) {

    static NodeJson of(NodeView n) {
        return new NodeJson(n.id(), n.host(), n.port(), n.startedAt(), n.lastSeenAt(), n.stoppedAt(), n.alive());
    }
}
