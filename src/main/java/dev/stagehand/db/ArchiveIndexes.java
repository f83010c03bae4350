package dev.stagehand.db;

import static dev.stagehand.db.schema.Tables.ARCHIVE_INDEX;
import static dev.stagehand.db.schema.Tables.ARCHIVE_MEMBER;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.exception.IntegrityConstraintViolationException;

/**
 * Member indexes of archives, recorded in the ledger by the first {@code /extract} from one
 * generation of an archive, and shared by every node: where each regular file lies, so a later
 * extract reads only that member, and a name the archive lacks is known without reading it.
 * They go with the build's files (the queue's {@code BuildLedger.endRemoval} calls {@link #removeAll}).
 */
public final class ArchiveIndexes {
    /** Rows inserted per statement when recording a large index. */
    private static final int BATCH = 1_000;
    /** The name column's width; a longer name could never be asked for (a caller's path is shorter). */
    static final int NAME_MAX = 4096;

    /** One regular file of an archive: where it lies (see the migration) and how many bytes it has. */
    public record Member(long offset, long size) {}

    private final DSLContext db;
    private final Clock clock;

    public ArchiveIndexes(DSLContext db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The recorded index of this generation of the build's archive, if any. */
    public Optional<Long> find(long buildId, String archive, long generation) {
        return db.select(ARCHIVE_INDEX.ID).from(ARCHIVE_INDEX)
                .where(ARCHIVE_INDEX.BUILD_ID.eq(buildId), ARCHIVE_INDEX.ARCHIVE.eq(archive), ARCHIVE_INDEX.GENERATION.eq(generation))
                .fetchOptional(ARCHIVE_INDEX.ID);
    }

    /** The member of that name in an index (the later one when the archive holds the name twice); empty when it has none. */
    public Optional<Member> member(long indexId, String name) {
        return db.select(ARCHIVE_MEMBER.OFFSET_IN_ARCHIVE, ARCHIVE_MEMBER.SIZE).from(ARCHIVE_MEMBER)
                .where(ARCHIVE_MEMBER.INDEX_ID.eq(indexId), ARCHIVE_MEMBER.NAME_HASH.eq(name.hashCode()), ARCHIVE_MEMBER.NAME.eq(name))
                .fetchOptional(r -> new Member(r.value1(), r.value2()));
    }

    /**
     * Records an index whole, in one transaction; returns its id. Names no caller could ask for
     * (longer than the column, or holding NUL, which PostgreSQL's text refuses) are left out, so
     * that one odd member does not keep the rest of the archive from being indexed. Two jobs that read the same
     * archive at once both get here: the second finds the first's index (the unique key decides).
     */
    public long record(long buildId, String archive, long generation, Map<String, Member> members) {
        Map<String, Member> indexable = new java.util.HashMap<>(members);
        indexable.keySet().removeIf(name -> name.length() > NAME_MAX || name.indexOf('\0') >= 0);
        try {
            return db.transactionResult(cfg -> {
                DSLContext tx = cfg.dsl();
                long id = tx.insertInto(ARCHIVE_INDEX).set(ARCHIVE_INDEX.BUILD_ID, buildId).set(ARCHIVE_INDEX.ARCHIVE, archive)
                        .set(ARCHIVE_INDEX.GENERATION, generation).set(ARCHIVE_INDEX.MEMBERS, indexable.size())
                        .set(ARCHIVE_INDEX.CREATED_AT, clock.instant()).returning(ARCHIVE_INDEX.ID).fetchOne(ARCHIVE_INDEX.ID);
                var rows = indexable.entrySet().iterator();
                while (rows.hasNext()) {
                    var insert = tx.insertInto(ARCHIVE_MEMBER, ARCHIVE_MEMBER.INDEX_ID, ARCHIVE_MEMBER.NAME, ARCHIVE_MEMBER.NAME_HASH,
                            ARCHIVE_MEMBER.OFFSET_IN_ARCHIVE, ARCHIVE_MEMBER.SIZE);
                    for (int n = 0; n < BATCH && rows.hasNext(); n++) {
                        var m = rows.next();
                        insert = insert.values(id, m.getKey(), m.getKey().hashCode(), m.getValue().offset(), m.getValue().size());
                    }
                    insert.execute();
                }
                return id;
            });
        } catch (IntegrityConstraintViolationException recordedMeanwhile) {
            return find(buildId, archive, generation).orElseThrow(() -> recordedMeanwhile);
        }
    }

    /** A build's indexes go with its files (in the transaction that ends the removal). */
    public static void removeAll(DSLContext tx, long buildId) {
        tx.deleteFrom(ARCHIVE_INDEX).where(ARCHIVE_INDEX.BUILD_ID.eq(buildId)).execute();
    }
}
