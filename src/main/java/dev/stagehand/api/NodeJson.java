package dev.stagehand.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stagehand.queue.NodeView;
import java.time.Instant;

/** A node as the JSON API shows it (the build copies it holds with hashed placement; null with a shared volume). */
record NodeJson(String id, String host, Integer port, @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("last_seen_at") Instant lastSeenAt, @JsonProperty("stopped_at") Instant stoppedAt, boolean alive,
        String state, @JsonProperty("advertise_url") String advertiseUrl, @JsonProperty("draining_at") Instant drainingAt,
        @JsonProperty("builds_held") Integer buildsHeld, @JsonProperty("bytes_held") Long bytesHeld) {

    static NodeJson of(NodeView n) {
        return new NodeJson(n.id(), n.host(), n.port(), n.startedAt(), n.lastSeenAt(), n.stoppedAt(), n.alive(), n.state(),
                n.advertiseUrl(), n.drainingAt(), n.buildsHeld(), n.bytesHeld());
    }
}
