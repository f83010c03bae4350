package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.BUILD;
import static dev.stagehand.db.schema.Tables.EVICTION;
import static dev.stagehand.db.schema.Tables.JOB;

import dev.stagehand.db.ArchiveIndexes;
import dev.stagehand.db.schema.tables.records.BuildRecord;
import dev.stagehand.db.types.BuildState;
import dev.stagehand.db.types.JobState;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jooq.impl.DSL;

/**
 * Build rows: one per archive URL and holder (the shared volume, '', or with hashed placement the
 * node whose disk holds that copy), with where it is staged, how much it holds, when it was last
 * read, and its state. This store's reads of staged builds see this node's copies. Leaving READY (to evict or clean) is a guarded move made with the row
 * locked, so it serialises with job claims and with requests that trust a staged artifact.
 */
final class BuildStore {
    /** Inserts of a new build row that may lose to another caller's before something is wrong. */
    private static final int RACES_TO_LOSE = 3;

    private final DSLContext db;
    private final Clock clock;
    private final String node;
    private final String holder;

    BuildStore(DSLContext db, Clock clock, String node, String holder) {
        this.db = db;
        this.clock = clock;
        this.node = node;
        this.holder = holder;
    }

    /** The row of the build's copy at {@code holder} (see {@link JobQueue#homeOf}), created on first use. */
    long id(String archiveUrl, String buildPath, String holder) {
        for (int race = 0; race < RACES_TO_LOSE; race++) {
            Optional<Long> id = find(archiveUrl, holder);
            if (id.isPresent()) {
                return id.get();
            }
            try {
                return db.insertInto(BUILD)
                        .set(BUILD.ARCHIVE_URL, archiveUrl)
                        .set(BUILD.BUILD_PATH, buildPath)
                        .set(BUILD.HOLDER, holder)
                        .set(BUILD.CREATED_AT, clock.instant())
                        .set(BUILD.LAST_ACCESS_AT, clock.instant())
                        .returning(BUILD.ID).fetchOne().getId();
            } catch (IntegrityConstraintViolationException raced) {
                // Another request created it a moment ago: read it on the next pass.
            }
        }
        throw new IllegalStateException("could not create the build row for " + archiveUrl);
    }

    Optional<Long> find(String archiveUrl, String holder) {
        return db.select(BUILD.ID).from(BUILD).where(BUILD.ARCHIVE_URL.eq(archiveUrl), BUILD.HOLDER.eq(holder)).fetchOptional(BUILD.ID);
    }

    /** This node's build copies whose directory holds {@code path} (relative to the static dir): (id, build path). */
    List<BuildLedger.StagedBuild> containing(String path) {
        return db.select(BUILD.ID, BUILD.BUILD_PATH).from(BUILD)
                .where(DSL.val(path).startsWith(BUILD.BUILD_PATH.concat("/")), BUILD.HOLDER.eq(holder))
                .fetch(r -> new BuildLedger.StagedBuild(r.value1(), r.value2()));
    }

    /** This node's build copies staged at a path (several archive URLs may share one, from different buckets). */
    List<Long> idsAtPath(String buildPath) {
        return db.select(BUILD.ID).from(BUILD).where(BUILD.BUILD_PATH.eq(buildPath), BUILD.HOLDER.eq(holder))
                .orderBy(BUILD.ID).fetch(BUILD.ID);
    }

    /**
     * Every node's copies of the build whose directory holds {@code path}, with their holders and
     * whether their disk still holds something a job staged (a success after the last removal).
     */
    List<BuildLedger.Copy> copiesContaining(String path) {
        var stagedAt = DSL.field(DSL.select(DSL.max(JOB.FINISHED_AT)).from(JOB).where(JOB.BUILD_ID.eq(BUILD.ID), stillOnDisk()));
        return db.select(BUILD.ID, BUILD.BUILD_PATH, BUILD.HOLDER, stagedAt, hasActiveJob(), BUILD.EMPTIED_AT).from(BUILD)
                .where(DSL.val(path).startsWith(BUILD.BUILD_PATH.concat("/")))
                .fetch(r -> new BuildLedger.Copy(r.value1(), r.value2(), r.value3(), r.value4(), Boolean.TRUE.equals(r.value5()), r.value6()));
    }

    /** The copy's artifact succeeded after the copy's files were last removed: it is on the holder's disk. */
    boolean stagedInLedger(long buildId, String artifact) {
        return db.fetchExists(DSL.selectOne().from(JOB).join(BUILD).on(BUILD.ID.eq(JOB.BUILD_ID))
                .where(JOB.BUILD_ID.eq(buildId), JOB.ARTIFACT.eq(artifact), stillOnDisk()));
    }

    /** Whether the build row of the query has an active job ({@link JobStates#ACTIVE}): a column for reads of several copies. */
    static org.jooq.Field<Boolean> hasActiveJob() {
        return DSL.field(DSL.exists(DSL.selectOne().from(JOB).where(JOB.BUILD_ID.eq(BUILD.ID), JOB.STATE.in(JobStates.ACTIVE))));
    }

    /** A job's success whose files are still on its copy's disk: the copy READY, and not emptied since. */
    private static org.jooq.Condition stillOnDisk() {
        return JOB.STATE.eq(JobState.SUCCEEDED).and(BUILD.STATE.eq(BuildState.READY))
                .and(BUILD.EMPTIED_AT.isNull().or(JOB.FINISHED_AT.gt(BUILD.EMPTIED_AT)));
    }

    /** The holder of a build copy ('' on the shared volume); it never changes. */
    String holderOf(long buildId) {
        return db.select(BUILD.HOLDER).from(BUILD).where(BUILD.ID.eq(buildId)).fetchSingle(BUILD.HOLDER);
    }

    /**
     * A known build whose directory contains, or lies inside, {@code buildPath}'s (another archive
     * URL with the same path is the same directory, so it is no conflict).
     */
    Optional<String> nestedWith(String buildPath) {
        return db.select(BUILD.BUILD_PATH).from(BUILD)
                .where(BUILD.BUILD_PATH.startsWith(buildPath + "/").or(DSL.val(buildPath).startsWith(BUILD.BUILD_PATH.concat("/"))))
                .limit(1).fetchOptional(BUILD.BUILD_PATH);
    }

    /** Moves last_access_at of this node's copy of the build whose directory holds {@code path} (relative to the static dir) forward to {@code when}. */
    void touchContaining(String path, Instant when) {
        db.update(BUILD).set(BUILD.LAST_ACCESS_AT, when)
                .where(DSL.val(path).startsWith(BUILD.BUILD_PATH.concat("/")).or(BUILD.BUILD_PATH.eq(path)))
                .and(BUILD.HOLDER.eq(holder))
                .and(BUILD.LAST_ACCESS_AT.lt(when))
                .execute();
    }

    /**
     * Inside a submission's transaction: locks the build row and refreshes its last access, so an
     * eviction that chose the build before this request wins no more. True when it is READY.
     */
    boolean lockForRequest(long buildId) {
        BuildState state = db.select(BUILD.STATE).from(BUILD).where(BUILD.ID.eq(buildId)).forUpdate().fetchSingle(BUILD.STATE);
        db.update(BUILD).set(BUILD.LAST_ACCESS_AT, clock.instant()).where(BUILD.ID.eq(buildId)).execute();
        return state == BuildState.READY;
    }

    /** BEGIN_CLEAN, in a transaction of its own (see {@link #lockAndLeaveReady}). */
    BuildLedger.Removal beginClean(long buildId) {
        return db.transactionResult(cfg -> new BuildStore(cfg.dsl(), clock, node, holder).lockAndLeaveReady(buildId, BuildTransition.BEGIN_CLEAN, null));
    }

    /** In the disk lock's transaction: BEGIN_EVICTION, if nothing used the build since {@code seenAccess}. */
    BuildLedger.Removal beginEviction(long buildId, Instant seenAccess) {
        return lockAndLeaveReady(buildId, BuildTransition.BEGIN_EVICTION, seenAccess);
    }

    /**
     * BEGIN_CLEAN or BEGIN_EVICTION (see {@link BuildTransition}). The row is locked first, then its jobs read:
     * a clean needs no RUNNING job; an eviction needs no active job and a last access still
     * {@code seenAccess} (a request that trusted the build since then keeps it).
     */
    private BuildLedger.Removal lockAndLeaveReady(long buildId, BuildTransition move, Instant seenAccess) {
        BuildRecord build = db.selectFrom(BUILD).where(BUILD.ID.eq(buildId)).forUpdate().fetchSingle();
        if (!move.from.contains(build.getState())) {
            return BuildLedger.Removal.BUILD_BUSY;
        }
        boolean eviction = move == BuildTransition.BEGIN_EVICTION;
        if (eviction && !build.getLastAccessAt().equals(seenAccess)) {
            return BuildLedger.Removal.READ_SINCE;
        }
        List<JobState> jobs = db.select(JOB.STATE).from(JOB).where(JOB.BUILD_ID.eq(buildId), JOB.STATE.in(JobStates.ACTIVE))
                .fetch(JOB.STATE);
        if (jobs.contains(JobState.RUNNING)) {
            return BuildLedger.Removal.JOB_RUNNING;
        }
        if (eviction && !jobs.isEmpty()) {
            return BuildLedger.Removal.JOB_ACTIVE;
        }
        db.update(BUILD).set(BUILD.STATE, move.to).set(BUILD.STATE_BY, node)
                .where(BUILD.ID.eq(buildId), BUILD.STATE.in(move.from)).execute();
        return BuildLedger.Removal.STARTED;
    }

    /** Back to READY with nothing staged; an eviction also leaves its record. */
    void endRemoval(long buildId, String evictionReason, long bytesFreed) {
        db.transaction(cfg -> {
            DSLContext tx = cfg.dsl();
            // Every copy at the path on this disk, locked in id order as every transaction locks several builds.
            var removed = BUILD.as("removed");
            var samePathHere = BUILD.HOLDER.eq(holder)
                    .and(BUILD.BUILD_PATH.eq(DSL.select(removed.BUILD_PATH).from(removed).where(removed.ID.eq(buildId))));
            tx.select(BUILD.ID).from(BUILD).where(samePathHere).orderBy(BUILD.ID).forUpdate().fetch();
            tx.update(BUILD).set(BUILD.STATE, BuildTransition.END_REMOVAL.to).setNull(BUILD.STATE_BY).set(BUILD.STAGED_BYTES, 0L)
                    .set(BUILD.EMPTIED_AT, clock.instant())
                    .where(BUILD.ID.eq(buildId), BUILD.STATE.in(BuildTransition.END_REMOVAL.from)).execute();
            // Other archive URLs staged at the same path on this disk lost their files with the directory.
            tx.update(BUILD).set(BUILD.STAGED_BYTES, 0L).set(BUILD.EMPTIED_AT, clock.instant())
                    .where(BUILD.ID.ne(buildId), samePathHere)
                    .execute();
            ArchiveIndexes.removeAll(tx, buildId);
            if (evictionReason != null) {
                tx.insertInto(EVICTION).set(EVICTION.BUILD_ID, buildId).set(EVICTION.EVICTED_AT, clock.instant())
                        .set(EVICTION.REASON, JobStore.truncate(evictionReason)).set(EVICTION.BYTES_FREED, bytesFreed)
                        .set(EVICTION.NODE, node).execute();
            }
        });
    }

    /** This node's build copies out of READY (being evicted or cleaned), with the node that is doing it. */
    List<BuildLedger.UnfinishedRemoval> removalsInProgress() {
        return db.select(BUILD.ID, BUILD.BUILD_PATH, BUILD.STATE, BUILD.STATE_BY).from(BUILD)
                .where(BUILD.STATE.ne(BuildState.READY), BUILD.HOLDER.eq(holder))
                .fetch(r -> new BuildLedger.UnfinishedRemoval(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    /** Records what a build's directory holds now (measured after an install). */
    void setStagedBytes(long buildId, long bytes) {
        db.update(BUILD).set(BUILD.STAGED_BYTES, bytes).where(BUILD.ID.eq(buildId)).execute();
    }

    /** This node's READY build copies with a directory but no measured size (staged before sizes were kept). */
    List<BuildLedger.StagedBuild> unmeasured() {
        return db.select(BUILD.ID, BUILD.BUILD_PATH).from(BUILD)
                .where(BUILD.STATE.eq(BuildState.READY), BUILD.STAGED_BYTES.eq(0L), BUILD.HOLDER.eq(holder))
                .fetch(r -> new BuildLedger.StagedBuild(r.value1(), r.value2()));
    }
}
