package dev.stagehand.staging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.archive.ArchiveUrl;
import dev.stagehand.archive.BuildRef;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reading ahead a new job's listing and metadata, against a fake GCS on loopback through the real client. */
class PlanLookaheadTest {
    static final String PATH = "target/R1-2.0.0";
    static final BuildRef BUILD = new BuildRef(ArchiveUrl.parse("gs://bkt/" + PATH), PATH);
    static final StageTarget STATEFUL = new StageTarget.Artifact("stateful");
    static final java.util.function.Predicate<StageTarget> NOTHING_STAGED = target -> false;

    FakeGcs gcs;
    ArchiveSources sources;
    PlanLookahead lookahead;

    @BeforeEach
    void start() throws Exception {
        gcs = new FakeGcs();
        gcs.put("bkt", PATH + "/stateful.tgz", new byte[] {1, 2, 3});
        gcs.put("bkt", PATH + "/other.bin", new byte[] {4});
        sources = new ArchiveSources(List.of(), new ArchiveSources.GcsSettings(gcs.endpoint(), true), n -> {});
        lookahead = new PlanLookahead(Catalogue.load(null), sources, java.time.Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        lookahead.close();
        gcs.close();
    }

    /** A job created now: any read begun before it may serve it. */
    private static java.time.Instant later() {
        return java.time.Instant.now();
    }

    /**
     * A job created before the read began (its run after an upload arrived, a retry) never takes
     * it: it would find the archive as it was before what it waits for.
     */
    @Test
    void aJobCreatedBeforeTheReadBeganDoesNotTakeIt() throws Exception {
        java.time.Instant jobCreated = java.time.Instant.now().minusSeconds(5);
        lookahead.start(BUILD, List.of(STATEFUL), NOTHING_STAGED);
        assertEquals(Optional.empty(), lookahead.take(BUILD, "stateful", jobCreated));
        assertTrue(lookahead.take(BUILD, "stateful", later()).isPresent(), "a job created since may");
    }

    @Test
    void aLocalBuildIsNotReadAhead() throws Exception {
        java.nio.file.Path root = java.nio.file.Files.createTempDirectory("lookahead");
        java.nio.file.Files.createDirectories(root.resolve(PATH));
        java.nio.file.Files.write(root.resolve(PATH + "/stateful.tgz"), new byte[] {1});
        BuildRef local = new BuildRef(ArchiveUrl.parse("file://" + root.resolve(PATH)), PATH);
        lookahead.start(local, List.of(STATEFUL), NOTHING_STAGED);
        assertEquals(Optional.empty(), lookahead.take(local, "stateful", later()), "listing a local directory is no round trip");
    }

    @Test
    void theListingIsTakenOnceAndTheSelectedObjectsMetadataIsHandedOver() throws Exception {
        lookahead.start(BUILD, List.of(STATEFUL), NOTHING_STAGED);
        Optional<List<String>> names = lookahead.take(BUILD, "stateful", later());
        assertEquals(List.of("other.bin", "stateful.tgz"), names.orElseThrow().stream().sorted().toList());
        assertEquals(Optional.empty(), lookahead.take(BUILD, "stateful", later()), "taken once: an upload check lists for itself");
        Eventually.await(Duration.ofSeconds(10), "the selected object's metadata", () -> gcs.metadataRequests() == 1);
        assertEquals(3, sources.handedOver(BUILD.url(), "stateful.tgz").orElseThrow().size());
        assertEquals(Optional.empty(), sources.handedOver(BUILD.url(), "other.bin"), "only what the plan selects");
    }

    /** Cases that read nothing ahead, or nothing again: each costs the store no request. */
    @Test
    void aHerdReadsAheadOnceAndTargetsWithoutAListingNotAtAll() throws Exception {
        for (int i = 0; i < 50; i++) {
            lookahead.start(BUILD, List.of(STATEFUL), NOTHING_STAGED);
        }
        lookahead.take(BUILD, "stateful", later()).orElseThrow();
        lookahead.start(BUILD, List.of(STATEFUL), NOTHING_STAGED); // taken, but still fresh: a late caller of the herd
        lookahead.start(BUILD, List.of(new StageTarget.NamedFile("stateful.tgz")), NOTHING_STAGED); // one stat by its job, as before
        lookahead.start(BUILD, List.of(new StageTarget.Artifact("no_such_artifact")), NOTHING_STAGED);
        BuildRef staged = new BuildRef(ArchiveUrl.parse("gs://bkt/target/R1-2.0.1"), "target/R1-2.0.1");
        lookahead.start(staged, List.of(STATEFUL), target -> true); // on this node's disk already: its request makes no job
        Eventually.await(Duration.ofSeconds(10), "the one read ahead's metadata", () -> gcs.metadataRequests() == 1);
        assertEquals(1, gcs.listRequests());
        assertEquals(Optional.empty(), lookahead.take(BUILD, "file:stateful.tgz", later()));
        assertEquals(Optional.empty(), lookahead.take(BUILD, "no_such_artifact", later()));
        assertEquals(Optional.empty(), lookahead.take(staged, "stateful", later()));
    }

    @Test
    void aFailedOrStaleReadAheadGivesTheJobNothingAndItListsForItself() throws Exception {
        BuildRef missing = new BuildRef(ArchiveUrl.parse("gs://no-such-bucket/" + PATH), PATH);
        lookahead.start(missing, List.of(STATEFUL), NOTHING_STAGED);
        assertEquals(Optional.empty(), lookahead.take(missing, "stateful", later()), "the listing failed: the attempt meets the error itself");

        int before = gcs.listRequests(); // the failed one's, settled by its take
        PlanLookahead stale = new PlanLookahead(Catalogue.load(null), sources, java.time.Clock.systemUTC(), 0);
        try {
            stale.start(BUILD, List.of(STATEFUL), NOTHING_STAGED);
            Eventually.await(Duration.ofSeconds(10), "the read ahead", () -> gcs.listRequests() == before + 1);
            assertEquals(Optional.empty(), stale.take(BUILD, "stateful", later()), "too old to use");
            stale.start(BUILD, List.of(STATEFUL), NOTHING_STAGED);
            Eventually.await(Duration.ofSeconds(10), "a new read ahead once the last is stale", () -> gcs.listRequests() == before + 2);
        } finally {
            stale.close();
        }
    }

    /**
     * A flood of requests for new builds: two reads at a time and {@link PlanLookahead#MOST_WAITING}
     * queued; the rest read nothing. A job whose read was refused or is still queued does not
     * wait for it, and a read called off never reaches the store.
     */
    @Test
    void aFloodOfNewBuildsReadsTwoAtATimeWithABoundedQueue() throws Exception {
        List<BuildRef> builds = java.util.stream.IntStream.range(0, 100)
                .mapToObj(i -> new BuildRef(ArchiveUrl.parse("gs://bkt/flood/R" + i), "flood/R" + i)).toList();
        gcs.holdListings();
        try {
            builds.forEach(b -> lookahead.start(b, List.of(STATEFUL), NOTHING_STAGED));
            Eventually.await(Duration.ofSeconds(10), "two reads in flight", () -> gcs.listRequests() == 2);
            long started = System.nanoTime();
            assertEquals(Optional.empty(), lookahead.take(builds.get(99), "stateful", later()), "refused: nothing to take");
            assertEquals(Optional.empty(), lookahead.take(builds.get(50), "stateful", later()), "queued: called off");
            assertTrue(System.nanoTime() - started < 2_000_000_000L, "neither job waited for the held reads");
            assertEquals(2, gcs.listRequests());
        } finally {
            gcs.openListings();
        }
        int queuedAndRun = PlanLookahead.MOST_WAITING - 1; // one was called off
        Eventually.await(Duration.ofSeconds(20), "the queued reads", () -> gcs.listRequests() == 2 + queuedAndRun);
        assertTrue(lookahead.take(builds.get(2 + queuedAndRun), "stateful", later()).isPresent(), "the last one queued was read");
        assertEquals(Optional.empty(), lookahead.take(builds.get(2 + PlanLookahead.MOST_WAITING), "stateful", later()),
                "the first past the queue was not");
        assertEquals(2 + queuedAndRun, gcs.listRequests(), "nothing past the bound reached the store");
    }

    @Test
    void afterACloseNothingIsReadAheadAndNoAttemptWaits() throws Exception {
        lookahead.close();
        lookahead.start(BUILD, List.of(STATEFUL), NOTHING_STAGED);
        long started = System.nanoTime();
        assertEquals(Optional.empty(), lookahead.take(BUILD, "stateful", later()));
        assertTrue(System.nanoTime() - started < 5_000_000_000L, "the taker did not wait");
        assertEquals(0, gcs.listRequests());
    }
}
