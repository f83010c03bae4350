package dev.stagehand.staging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A job knows its target only by its key: every kind of target comes back from its key as it was. */
class StageTargetTest {
    @Test
    void everyKindOfTargetRoundTripsThroughItsKey() {
        for (StageTarget target : List.of(new StageTarget.Artifact("full_payload"), new StageTarget.NamedFile("a/b.bin"),
                new StageTarget.Member("autotest.tar.gz", "a//b"), new StageTarget.Member("x.zip", "dir/member.bin"),
                new StageTarget.Decompressed("payload.bin.xz"), new StageTarget.Telemetry())) {
            assertEquals(target, StageTarget.ofKey(target.key()), target.key());
        }
    }
}
