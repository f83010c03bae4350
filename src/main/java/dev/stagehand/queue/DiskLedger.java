package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.BUILD;
import static dev.stagehand.db.schema.Tables.DISK_LOCK;
import static dev.stagehand.db.schema.Tables.JOB;

import dev.stagehand.db.types.BuildState;
import dev.stagehand.db.types.JobState;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The database's account of this node's staging disk (the shared volume, or with hashed placement
 * its own): what its build copies hold, what its running downloads will still write, and which
 * copies could go. Decisions are made under one lock row, so two jobs
 * (on one node or several) never count the same free space twice.
 */
public final class DiskLedger {
    private static final org.jooq.Field<java.math.BigDecimal> ZERO = DSL.inline(java.math.BigDecimal.ZERO);
    private final DSLContext db;
    private final Clock clock;
    private final String node;
    private final String holder;

    DiskLedger(DSLContext db, Clock clock, String node, String holder) {
        this.db = db;
        this.clock = clock;
        this.node = node;
        this.holder = holder;
    }

    /** Runs {@code decision} in one transaction that holds the disk lock. */
    public <T> T locked(Function<Locked, T> decision) {
        return db.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            tx.select(DISK_LOCK.ID).from(DISK_LOCK).where(DISK_LOCK.ID.eq(1)).forUpdate().fetch();
            return decision.apply(new Locked(tx));
        });
    }

    /** Bytes all builds hold (as last measured). */
    public long stagedBytes() {
        return new Locked(db).stagedBytes();
    }

    /** A build that eviction may take: READY, holding bytes, with no active job; least recently read first. */
    public record Candidate(long buildId, String buildPath, long stagedBytes, Instant lastAccess) {}

    /** What a decision under the lock can read and change. */
    public final class Locked {
        private final DSLContext tx;

        private Locked(DSLContext tx) {
            this.tx = tx;
        }

        public long stagedBytes() {
            return tx.select(DSL.coalesce(DSL.sum(BUILD.STAGED_BYTES), ZERO))
                    .from(BUILD).where(BUILD.HOLDER.eq(holder)).fetchSingle().value1().longValue();
        }

        /** Bytes the other running jobs reserved, and (about) how many of those they have yet to write. */
        public InFlight inFlight(long exceptJob) {
            var r = tx.select(DSL.coalesce(DSL.sum(JOB.RESERVED_BYTES), ZERO),
                            DSL.coalesce(DSL.sum(DSL.greatest(JOB.RESERVED_BYTES.minus(JOB.BYTES_DONE), DSL.inline(0L))), ZERO))
                    .from(JOB).where(JOB.STATE.eq(JobState.RUNNING), JOB.ID.ne(exceptJob), JOB.RESERVED_BYTES.isNotNull(),
                            JOB.BUILD_ID.in(DSL.select(BUILD.ID).from(BUILD).where(BUILD.HOLDER.eq(holder))))
                    .fetchSingle();
            return new InFlight(r.value1().longValue(), r.value2().longValue());
        }

        /** Eviction candidates, least recently read first, never {@code exceptBuild}. */
        public List<Candidate> candidates(long exceptBuild) {
            return tx.select(BUILD.ID, BUILD.BUILD_PATH, BUILD.STAGED_BYTES, BUILD.LAST_ACCESS_AT).from(BUILD)
                    .where(BUILD.STATE.eq(BuildState.READY), BUILD.STAGED_BYTES.gt(0L), BUILD.ID.ne(exceptBuild), BUILD.HOLDER.eq(holder))
                    .andNotExists(tx.selectOne().from(JOB).where(JOB.BUILD_ID.eq(BUILD.ID), JOB.STATE.in(JobStates.ACTIVE)))
                    .orderBy(BUILD.LAST_ACCESS_AT, BUILD.ID)
                    .fetch(r -> new Candidate(r.value1(), r.value2(), r.value3(), r.value4()));
        }

        /** Takes the candidate out of READY for eviction, if it still may go (see {@link BuildStore#beginEviction}). */
        public boolean beginEviction(Candidate c) {
            return new BuildStore(tx, clock, node, holder).beginEviction(c.buildId(), c.lastAccess())
                    == BuildStore.Removal.STARTED;
        }

        /** Counts {@code bytes} (in all) against the running job until it ends: other decisions see them as in flight. */
        public void reserve(long jobId, long bytes) {
            tx.update(JOB).set(JOB.RESERVED_BYTES, bytes).where(JOB.ID.eq(jobId), JOB.STATE.eq(JobState.RUNNING)).execute();
        }
    }

    /** Other running jobs' reservations: in all, and what they have yet to write to disk. */
    public record InFlight(long reserved, long unwritten) {}
}
