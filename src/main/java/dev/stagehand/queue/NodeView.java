package dev.stagehand.queue;

import java.time.Instant;

/** A node that has run on this database: alive while it checks in (by the database's clock). */
public record NodeView(String id, String host, Integer port, Instant startedAt, Instant lastSeenAt, Instant stoppedAt,
        boolean alive) {}
