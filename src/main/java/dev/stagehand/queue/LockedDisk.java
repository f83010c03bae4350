package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.BUILD;
import static dev.stagehand.db.schema.Tables.JOB;

import dev.stagehand.db.types.BuildState;
import dev.stagehand.db.types.JobState;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * What a decision about this node's staging disk can read and change while it holds the disk
 * lock ({@link BuildLedger#underDiskLock}): the facts eviction decides on, and the two moves it
 * makes. Which copy goes is decided outside, on these facts (staging's eviction policy).
 */
public final class LockedDisk {
    private static final Field<BigDecimal> ZERO = DSL.inline(BigDecimal.ZERO);

    private final DSLContext tx;
    private final Clock clock;
    private final String node;
    private final String holder;

    LockedDisk(DSLContext tx, Clock clock, String node, String holder) {
        this.tx = tx;
        this.clock = clock;
        this.node = node;
        this.holder = holder;
    }

    /** Bytes this node's copies hold (as last measured). */
    public long stagedBytes() {
        return tx.select(DSL.coalesce(DSL.sum(BUILD.STAGED_BYTES), ZERO))
                .from(BUILD).where(BUILD.HOLDER.eq(holder)).fetchSingle().value1().longValue();
    }

    /** Bytes the other running jobs reserved, and (about) how many of those they have yet to write. */
    public BuildLedger.InFlight inFlight(long exceptJob) {
        var r = tx.select(DSL.coalesce(DSL.sum(JOB.RESERVED_BYTES), ZERO),
                        DSL.coalesce(DSL.sum(DSL.greatest(JOB.RESERVED_BYTES.minus(JOB.BYTES_DONE), DSL.inline(0L))), ZERO))
                .from(JOB).where(JOB.STATE.eq(JobState.RUNNING), JOB.ID.ne(exceptJob), JOB.RESERVED_BYTES.isNotNull(),
                        JOB.BUILD_ID.in(DSL.select(BUILD.ID).from(BUILD).where(BUILD.HOLDER.eq(holder))))
                .fetchSingle();
        return new BuildLedger.InFlight(r.value1().longValue(), r.value2().longValue());
    }

    /** This node's READY copies that hold bytes, but {@code exceptBuild}: what eviction chooses among. */
    public List<BuildLedger.Candidate> copies(long exceptBuild) {
        return tx.select(BUILD.ID, BUILD.BUILD_PATH, BUILD.STAGED_BYTES, BUILD.LAST_ACCESS_AT, BuildStore.hasActiveJob()).from(BUILD)
                .where(BUILD.STATE.eq(BuildState.READY), BUILD.STAGED_BYTES.gt(0L), BUILD.ID.ne(exceptBuild), BUILD.HOLDER.eq(holder))
                .fetch(r -> new BuildLedger.Candidate(r.value1(), r.value2(), r.value3(), r.value4(), Boolean.TRUE.equals(r.value5())));
    }

    /**
     * BEGIN_EVICTION of the chosen copy, if it still may go: no job of it active and nothing read
     * it since the facts were read (see {@link BuildStore#beginEviction}).
     */
    public boolean beginEviction(BuildLedger.Candidate c) {
        return new BuildStore(tx, clock, node, holder).beginEviction(c.buildId(), c.lastAccess()) == BuildLedger.Removal.STARTED;
    }

    /** Counts {@code bytes} (in all) against the running job until it ends: other decisions see them as in flight. */
    public void reserve(long jobId, long bytes) {
        tx.update(JOB).set(JOB.RESERVED_BYTES, bytes).where(JOB.ID.eq(jobId), JOB.STATE.eq(JobState.RUNNING)).execute();
    }
}
