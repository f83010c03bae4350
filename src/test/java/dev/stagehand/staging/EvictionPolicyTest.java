package dev.stagehand.staging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.common.Sizes;
import dev.stagehand.queue.BuildLedger.Candidate;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The eviction decision alone: what fits, what may go and in which order, and when there is no way. */
class EvictionPolicyTest {
    private static final long MB = 1 << 20;
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

    /** Four copies of 10 MiB, given out of order: "old" read first, then "mid", then "new"; "busy", the oldest, has an active job. */
    private static final List<Candidate> COPIES = List.of(
            copy(4, "t/new", 30, false), copy(2, "t/mid", 20, false), copy(1, "t/old", 10, false), copy(3, "t/busy", 5, true));

    private static Candidate copy(long id, String path, long readAtSecond, boolean active) {
        return new Candidate(id, path, 10 * MB, T.plusSeconds(readAtSecond), active);
    }

    static Stream<Arguments> downloads() {
        // quota, staged, reserved by others, free, the download's total bytes and its new ones, builds being read
        // -> expected order (null: fits; empty: no way); the reserve kept free is 100 MiB
        return Stream.of(
                Arguments.of("room under the quota", 100 * MB, 40 * MB, 0L, 1000 * MB, 10 * MB, 10 * MB, Set.of(), null),
                Arguments.of("exactly the quota fits", 50 * MB, 40 * MB, 0L, 1000 * MB, 10 * MB, 10 * MB, Set.of(), null),
                Arguments.of("exactly the reserve left fits", null, 40 * MB, 0L, 110 * MB, 10 * MB, 10 * MB, Set.of(), null),
                Arguments.of("the total counts against the quota", 100 * MB, 40 * MB, 0L, 1000 * MB, 70 * MB, 5 * MB, Set.of(),
                        List.of("t/old", "t/mid", "t/new")),
                Arguments.of("only the new bytes count against the free space", null, 40 * MB, 0L, 150 * MB, 10 * MB, 60 * MB, Set.of(),
                        List.of("t/old", "t/mid", "t/new")),
                Arguments.of("bytes already on disk need no free space", null, 40 * MB, 0L, 150 * MB, 60 * MB, 10 * MB, Set.of(), null),
                Arguments.of("no quota, enough free", null, 40 * MB, 0L, 1000 * MB, 10 * MB, 10 * MB, Set.of(), null),
                Arguments.of("over the quota: least recently read first, never the busy one", 50 * MB, 40 * MB, 0L, 1000 * MB, 20 * MB, 20 * MB,
                        Set.of(), List.of("t/old", "t/mid", "t/new")),
                Arguments.of("a build being read is kept", 50 * MB, 40 * MB, 0L, 1000 * MB, 20 * MB, 20 * MB, Set.of("t/old"),
                        List.of("t/mid", "t/new")),
                Arguments.of("others' reservations count", 60 * MB, 30 * MB, 45 * MB, 1000 * MB, 10 * MB, 10 * MB, Set.of(), List.of("t/old", "t/mid", "t/new")),
                Arguments.of("short of free space, not of quota", null, 40 * MB, 0L, 105 * MB, 10 * MB, 10 * MB, Set.of(), List.of("t/old", "t/mid", "t/new")),
                Arguments.of("evicting everything that may go is not enough", 50 * MB, 40 * MB, 0L, 1000 * MB, 50 * MB, 50 * MB, Set.of(), List.of()),
                Arguments.of("nothing may go: all being read", 50 * MB, 40 * MB, 0L, 1000 * MB, 20 * MB, 20 * MB, Set.of("t/old", "t/mid", "t/new"), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("downloads")
    void aDownloadFitsOrEvictsInOrderOrIsRefused(String name, Long quota, long staged, long reserved, long free, long total,
            long adding, Set<String> beingRead, List<String> expected) {
        EvictionPolicy policy = new EvictionPolicy(new DiskQuota(quota, 100 * MB, null, 0));
        Supplier<List<Candidate>> copies = () -> {
            assertFalse(expected == null, "the copies are read only when the download does not fit");
            return COPIES;
        };
        EvictionPolicy.Decision d = policy.forDownload(new EvictionPolicy.Disk(staged, reserved, free), total, adding, copies,
                beingRead::contains, "artifact");
        if (expected == null) {
            assertTrue(d.fits(), name);
            return;
        }
        assertFalse(d.fits(), name);
        assertEquals(expected, d.evictInOrder().stream().map(Candidate::buildPath).toList(), name);
        long freeable = COPIES.stream().filter(c -> !c.active() && !beingRead.contains(c.buildPath())).mapToLong(Candidate::stagedBytes).sum();
        assertTrue(d.refusal().startsWith("no room for artifact (" + Sizes.of(adding) + ")")
                && d.refusal().endsWith("would free only " + Sizes.of(freeable)), d.refusal());
    }

    @Test
    void copiesReadAtTheSameMomentGoInIdOrder() {
        List<Candidate> tied = List.of(copy(9, "t/c", 5, false), copy(7, "t/a", 5, false), copy(8, "t/b", 5, false));
        assertEquals(List.of("t/a", "t/b", "t/c"), EvictionPolicy.evictable(tied, path -> false).stream().map(Candidate::buildPath).toList());
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
        assertEquals(expected, policy.overQuota(staged, () -> COPIES, path -> false).stream().map(Candidate::buildPath).toList(), name);
    }
}
