package dev.stagehand.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that follows the system clock plus an offset that a test moves forward by hand, or,
 * once frozen, stands still until the test moves it.
 */
public final class MutableClock extends Clock {
    private volatile Duration offset = Duration.ZERO;
    private volatile Instant frozen;

    public void advance(Duration by) {
        if (frozen != null) {
            frozen = frozen.plus(by);
        }
        offset = offset.plus(by);
    }

    /** From now on time moves only by {@link #advance}. */
    public void freeze() {
        frozen = instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS); // as the database keeps it
    }

    @Override
    public Instant instant() {
        Instant f = frozen;
        return f != null ? f : Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
