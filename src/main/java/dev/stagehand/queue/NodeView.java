package dev.stagehand.queue;

import java.time.Instant;

/**
 * A node that has run on this database: alive while it checks in (by the database's clock). With
 * hashed placement it has an advertise URL, may be draining, and holds build copies on its disk:
 * how many, and their bytes (null with a shared volume); and whether the answering node places
 * builds on it now ({@code inRing}).
 */
public record NodeView(String id, String host, Integer port, Instant startedAt, Instant lastSeenAt, Instant stoppedAt,
        boolean alive, String advertiseUrl, Instant drainingAt, Integer buildsHeld, Long bytesHeld, boolean inRing) {

    /** alive, draining or stopped. */
    public String state() {
        return !alive ? "stopped" : drainingAt != null ? "draining" : "alive";
    }
}
