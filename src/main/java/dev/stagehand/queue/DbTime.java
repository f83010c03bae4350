package dev.stagehand.queue;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Timestamps as the ledger stores them: UTC {@code TIMESTAMP WITH TIME ZONE}, from an injected clock. */
final class DbTime {
    private DbTime() {}

    static OffsetDateTime now(Clock clock) {
        return at(clock.instant());
    }

    static OffsetDateTime at(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
