package dev.stagehand.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stagehand.queue.NodeView;
import java.time.Instant;

/**
 * A node as the JSON API shows it (the build copies it holds with hashed placement; null with a
 * shared volume), and whether the answering node places builds on it now ({@code in_ring}).
 */
record NodeJson(String id, String host, Integer port, @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("last_seen_at") Instant lastSeenAt, @JsonProperty("stopped_at") Instant stoppedAt, boolean alive,
        String state, @JsonProperty("advertise_url") String advertiseUrl, @JsonProperty("draining_at") Instant drainingAt,
        @JsonProperty("builds_held") Integer buildsHeld, @JsonProperty("bytes_held") Long bytesHeld,
        @JsonProperty("in_ring") boolean inRing) {

    static NodeJson of(NodeView n) {
        return new NodeJson(n.id(), n.host(), n.port(), n.startedAt(), n.lastSeenAt(), n.stoppedAt(), n.alive(), n.state(),
                n.advertiseUrl(), n.drainingAt(), n.buildsHeld(), n.bytesHeld(), n.inRing());
    }
}
