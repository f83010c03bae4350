package dev.stagehand.staging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.queue.BuildLedger.Candidate;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The eviction decision alone: what fits, what may go and in which order, and when there is no way. */
class EvictionPolicyTest {
    private static final long MB = 1 << 20;
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

    /** Three copies of 10 MB: "old" read first, then "mid", then "new"; "busy" has an active job. */
    private static final List<Candidate> COPIES = List.of(
            copy(4, "t/new", 30, false), copy(2, "t/mid", 20, false), copy(1, "t/old", 10, false), copy(3, "t/busy", 5, true));

    private static Candidate copy(long id, String path, long readAtSecond, boolean active) {
        return new Candidate(id, path, 10 * MB, T.plusSeconds(readAtSecond), active);
    }

    static Stream<Arguments> downloads() {
        // quota, staged, reserved by others, free, download's total and new bytes, builds being read -> expected order (null: fits; empty: no way)
        return Stream.of(
                Arguments.of("room under the quota", 100 * MB, 40 * MB, 0L, 1000 * MB, 10 * MB, Set.of(), null),
                Arguments.of("no quota, enough free", null, 40 * MB, 0L, 1000 * MB, 10 * MB, Set.of(), null),
                Arguments.of("over the quota: least recently read first, never the busy one", 50 * MB, 40 * MB, 0L, 1000 * MB, 20 * MB,
                        Set.of(), List.of("t/old", "t/mid", "t/new")),
                Arguments.of("a build being read is kept", 50 * MB, 40 * MB, 0L, 1000 * MB, 20 * MB, Set.of("t/old"),
                        List.of("t/mid", "t/new")),
                Arguments.of("others' reservations count", 60 * MB, 30 * MB, 45 * MB, 1000 * MB, 10 * MB, Set.of(), List.of("t/old", "t/mid", "t/new")),
                Arguments.of("short of free space, not of quota", null, 40 * MB, 0L, 105 * MB, 10 * MB, Set.of(), List.of("t/old", "t/mid", "t/new")),
                Arguments.of("evicting everything that may go is not enough", 50 * MB, 40 * MB, 0L, 1000 * MB, 50 * MB, Set.of(), List.of()),
                Arguments.of("nothing may go: all being read", 50 * MB, 40 * MB, 0L, 1000 * MB, 20 * MB, Set.of("t/old", "t/mid", "t/new"), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("downloads")
    void aDownloadFitsOrEvictsInOrderOrIsRefused(String name, Long quota, long staged, long reserved, long free, long adding,
            Set<String> beingRead, List<String> expected) {
        EvictionPolicy policy = new EvictionPolicy(new DiskQuota(quota, 100 * MB, null, 0));
        EvictionPolicy.Decision d = policy.forDownload(new EvictionPolicy.Disk(staged, reserved, free), adding, adding, COPIES,
                beingRead::contains, "artifact");
        if (expected == null) {
            assertTrue(d.fits(), name);
            return;
        }
        assertFalse(d.fits(), name);
        assertEquals(expected, d.evictInOrder().stream().map(Candidate::buildPath).toList(), name);
        assertTrue(d.refusal().startsWith("no room for artifact"), d.refusal());
    }

    static Stream<Arguments> overshoots() {
        return Stream.of(
                Arguments.of("within the quota", 50 * MB, 50 * MB, List.of()),
                Arguments.of("no quota", null, 500 * MB, List.of()),
                Arguments.of("over it", 50 * MB, 51 * MB, List.of("t/old", "t/mid", "t/new")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overshoots")
    void anExtractionThatOvershotTheQuotaEvictsLeastRecentlyReadFirst(String name, Long quota, long staged, List<String> expected) {
        EvictionPolicy policy = new EvictionPolicy(new DiskQuota(quota, 0, null, 0));
        assertEquals(expected, policy.overQuota(staged, COPIES, path -> false).stream().map(Candidate::buildPath).toList(), name);
    }
}
