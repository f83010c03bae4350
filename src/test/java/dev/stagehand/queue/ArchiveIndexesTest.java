package dev.stagehand.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.db.ArchiveIndexes;
import dev.stagehand.db.schema.Tables;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Member indexes in the ledger (db.ArchiveIndexes), over the queue's build rows: found by
 * generation and name, recorded once under a race, gone when the queue ends a build's removal.
 */
@Tag("integration")
class ArchiveIndexesTest {
    @TempDir Path dir;
    private QueueFixture f;
    private ArchiveIndexes indexes;

    @BeforeEach
    void open() {
        f = new QueueFixture(dir, run -> {}, QueueFixture.fastRetry(1));
        indexes = new ArchiveIndexes(f.db.dsl(), java.time.Clock.systemUTC());
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void membersAreFoundByNameInTheirArchivesGeneration() {
        long build = f.build("R1");
        Map<String, ArchiveIndexes.Member> members = new HashMap<>();
        for (int i = 0; i < 2_500; i++) { // more than one insert statement's rows
            members.put("dir/file-" + i, new ArchiveIndexes.Member(512L * (2 * i + 1), i));
        }
        String longName = "deep/".repeat(700) + "name"; // longer than an index key may be: found by its hash
        members.put(longName, new ArchiveIndexes.Member(7, 8));
        long id = indexes.record(build, "tests.tar", 41, members);

        assertEquals(Optional.of(id), indexes.find(build, "tests.tar", 41));
        assertEquals(Optional.empty(), indexes.find(build, "tests.tar", 42), "another generation is not indexed");
        assertEquals(Optional.empty(), indexes.find(build, "other.tar", 41));
        assertEquals(Optional.of(new ArchiveIndexes.Member(512L * 2001, 1000)), indexes.member(id, "dir/file-1000"));
        assertEquals(Optional.of(new ArchiveIndexes.Member(7, 8)), indexes.member(id, longName));
        assertEquals(Optional.empty(), indexes.member(id, "dir/file-2500"));
        assertEquals(2_501, f.db.dsl().fetchCount(Tables.ARCHIVE_MEMBER));
    }

    @Test
    void twoJobsIndexingTheSameArchiveAtOnceKeepOneIndex() throws Exception {
        long build = f.build("R2");
        Map<String, ArchiveIndexes.Member> members = Map.of("a", new ArchiveIndexes.Member(512, 1));
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Callable<Long> record = () -> indexes.record(build, "x.tar", 1, members);
            Future<Long> first = two.submit(record);
            Future<Long> second = two.submit(record);
            assertEquals(first.get(), second.get(), "the loser finds the winner's index");
        } finally {
            two.shutdownNow();
        }
        assertEquals(1, f.db.dsl().fetchCount(Tables.ARCHIVE_INDEX));
        assertEquals(1, f.db.dsl().fetchCount(Tables.ARCHIVE_MEMBER));
    }

    @Test
    void aBuildsIndexesGoWhenItsFilesAreRemoved() {
        long removed = f.build("R3");
        long kept = f.build("R4");
        indexes.record(removed, "x.tar", 1, Map.of("a", new ArchiveIndexes.Member(512, 1)));
        indexes.record(kept, "x.tar", 1, Map.of("a", new ArchiveIndexes.Member(512, 1)));

        assertEquals(BuildLedger.Removal.STARTED, f.queue.buildLedger().beginClean(removed));
        f.queue.buildLedger().endRemoval(removed, null, 0);

        assertTrue(indexes.find(removed, "x.tar", 1).isEmpty(), "a cleaned build's index is gone");
        assertTrue(indexes.find(kept, "x.tar", 1).isPresent(), "another build's stays");
        assertEquals(1, f.db.dsl().fetchCount(Tables.ARCHIVE_MEMBER));
    }
}
