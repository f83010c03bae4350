package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.BUILD;
import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.JOB_ATTEMPT;
import static dev.stagehand.db.schema.Tables.REQUEST_JOB;

import dev.stagehand.db.schema.tables.records.JobRecord;
import dev.stagehand.db.types.AttemptOutcome;
import dev.stagehand.db.types.BuildState;
import dev.stagehand.db.types.JobState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jooq.impl.DSL;

/**
 * State changes of the job ledger. Every change of {@code job.state} is one guarded UPDATE whose
 * allowed "from" states come from {@link JobTransition}; writes made for a running attempt are
 * also guarded by its {@link Claim}, so a node that lost its claim changes nothing.
 */
final class JobStore {
    static final int MAX_ERROR_LENGTH = 3900;
    /** Inserts that may lose to another caller's insert of the same active job before something is wrong. */
    private static final int RACES_TO_LOSE = 5;

    private final DSLContext db;
    private final Clock clock;
    /** The build copies this node runs jobs for: '' (a shared volume) or its advertise URL (hashed placement). */
    private final String holder;

    JobStore(DSLContext db, Clock clock, String holder) {
        this.db = db;
        this.clock = clock;
        this.holder = holder;
    }

    /**
     * The job belongs to a build copy this node holds (a build row's holder never changes). With a
     * shared volume every copy is the shared one: no condition (the claim still checks the holder).
     */
    private Condition ofCopiesHere() {
        return holder.isEmpty() ? DSL.noCondition() : JOB.BUILD_ID.in(DSL.select(BUILD.ID).from(BUILD).where(BUILD.HOLDER.eq(holder)));
    }

    private Instant now() {
        return clock.instant();
    }

    static String activeKey(long buildId, String artifact) {
        return buildId + ":" + artifact;
    }

    /**
     * The active job for build + artifact, else the success {@code staged} names, else a new
     * QUEUED job. The active job is read with a row lock: a job ending at this moment is either
     * seen ended (its end committed first) or ends after this request is committed and attached,
     * so the end settles this request too. An unlocked read could attach to a job whose end, in
     * flight, no longer looks for new requests, and the request would wait for nothing. The
     * unique active key decides races between callers; the loser attaches to the winner's job.
     */
    Attachment attachOrCreate(long buildId, String artifact, boolean required, int maxAttempts, Instant waitDeadline,
            Supplier<Optional<Long>> staged) {
        String key = activeKey(buildId, artifact);
        for (int race = 0; race < RACES_TO_LOSE; race++) {
            JobRecord active = db.selectFrom(JOB).where(JOB.ACTIVE_KEY.eq(key)).forUpdate().fetchOne();
            if (active == null) {
                Optional<Long> success = staged.get();
                if (success.isPresent()) {
                    return new Attachment(success.get(), false, false);
                }
            } else {
                boolean upgrade = required && !active.getRequired();
                if (upgrade) {
                    db.update(JOB).set(JOB.REQUIRED, true).where(JOB.ID.eq(active.getId())).execute();
                }
                return new Attachment(active.getId(), false, upgrade);
            }
            try {
                long id = db.insertInto(JOB)
                        .set(JOB.BUILD_ID, buildId)
                        .set(JOB.ARTIFACT, artifact)
                        .set(JOB.STATE, JobState.QUEUED)
                        .set(JOB.REQUIRED, required)
                        .set(JOB.ATTEMPTS, 0)
                        .set(JOB.MAX_ATTEMPTS, maxAttempts)
                        .set(JOB.WAIT_DEADLINE_AT, waitDeadline)
                        .set(JOB.BYTES_DONE, 0L)
                        .set(JOB.CREATED_AT, now())
                        .set(JOB.ACTIVE_KEY, key)
                        .returning(JOB.ID).fetchOne().getId();
                return new Attachment(id, true, false);
            } catch (IntegrityConstraintViolationException raced) {
                // Someone inserted the active job between our read and insert: attach to it.
            }
        }
        throw new IllegalStateException("could not attach to a job for " + key);
    }

    /** Jobs that are queued, running or waiting, by build (the builds that have any). */
    Map<Long, Integer> countActiveByBuild() {
        return db.select(JOB.BUILD_ID, DSL.count()).from(JOB).where(JOB.STATE.in(JobStates.ACTIVE)).groupBy(JOB.BUILD_ID)
                .fetchMap(JOB.BUILD_ID, r -> r.value2());
    }

    /** Jobs in each active state, over all builds. */
    Map<JobState, Integer> countActive() {
        return db.select(JOB.STATE, DSL.count()).from(JOB).where(JOB.STATE.in(JobStates.ACTIVE)).groupBy(JOB.STATE)
                .fetchMap(JOB.STATE, r -> r.value2());
    }

    /** The newest SUCCEEDED job of build + artifact, if any. */
    Optional<Long> lastSucceeded(long buildId, String artifact) {
        return db.select(JOB.ID).from(JOB)
                .where(JOB.BUILD_ID.eq(buildId), JOB.ARTIFACT.eq(artifact), JOB.STATE.eq(JobState.SUCCEEDED))
                .orderBy(JOB.ID.desc()).limit(1).fetchOptional(JOB.ID);
    }

    /** What a claim got: the job, nothing (a duplicate or early trigger), or a wait for its build. */
    record ClaimAttempt(Optional<Claim> claim, boolean buildBusy) {
        static final ClaimAttempt LOST = new ClaimAttempt(Optional.empty(), false);
        static final ClaimAttempt BUILD_BUSY = new ClaimAttempt(Optional.empty(), true);
    }

    /**
     * CLAIM, unless the job is not due yet (an early duplicate trigger) or its build is being
     * evicted or cleaned. The build row is locked first: an eviction or clean of the build waits
     * for this claim to commit and then sees the job RUNNING, or this claim sees the build busy.
     * Only the node holding the build's copy may claim its jobs (affinity, in the guarded UPDATE
     * itself): a trigger that fires elsewhere, or a node that lost its place, changes nothing.
     */
    ClaimAttempt claim(long jobId, String node) {
        Long buildId = db.select(JOB.BUILD_ID).from(JOB).where(JOB.ID.eq(jobId)).fetchOne(JOB.BUILD_ID);
        if (buildId == null) {
            return ClaimAttempt.LOST;
        }
        var build = db.select(BUILD.STATE, BUILD.HOLDER).from(BUILD).where(BUILD.ID.eq(buildId)).forUpdate().fetchSingle();
        if (!build.value2().equals(holder)) {
            return ClaimAttempt.LOST;
        }
        if (build.value1() != BuildState.READY) {
            return ClaimAttempt.BUILD_BUSY;
        }
        boolean won = db.update(JOB)
                .set(JOB.STATE, JobTransition.CLAIM.to)
                .set(JOB.ATTEMPTS, JOB.ATTEMPTS.plus(1))
                .set(JOB.STARTED_AT, now())
                .set(JOB.CLAIMED_BY, node)
                .where(JOB.ID.eq(jobId), JOB.STATE.in(JobTransition.CLAIM.from), JOB.BUILD_ID.eq(buildId))
                .andExists(DSL.selectOne().from(BUILD).where(BUILD.ID.eq(buildId), BUILD.HOLDER.eq(holder)))
                .and(JOB.NEXT_ATTEMPT_AT.isNull().or(JOB.NEXT_ATTEMPT_AT.le(now().plusSeconds(1))))
                .execute() == 1;
        if (!won) {
            return ClaimAttempt.LOST;
        }
        int attempt = db.select(JOB.ATTEMPTS).from(JOB).where(JOB.ID.eq(jobId)).fetchSingle(JOB.ATTEMPTS);
        return new ClaimAttempt(Optional.of(new Claim(jobId, node, attempt)), false);
    }

    void startAttempt(Claim claim, String worker) {
        db.insertInto(JOB_ATTEMPT)
                .set(JOB_ATTEMPT.JOB_ID, claim.jobId())
                .set(JOB_ATTEMPT.ATTEMPT_NO, claim.attempt())
                .set(JOB_ATTEMPT.STARTED_AT, now())
                .set(JOB_ATTEMPT.OUTCOME, AttemptOutcome.RUNNING)
                .set(JOB_ATTEMPT.WORKER, worker)
                .execute();
    }

    void endAttempt(Claim claim, AttemptTransition end, String error) {
        db.update(JOB_ATTEMPT)
                .set(JOB_ATTEMPT.FINISHED_AT, now())
                .set(JOB_ATTEMPT.OUTCOME, end.to)
                .set(JOB_ATTEMPT.ERROR, truncate(error))
                .where(JOB_ATTEMPT.JOB_ID.eq(claim.jobId()), JOB_ATTEMPT.ATTEMPT_NO.eq(claim.attempt()),
                        JOB_ATTEMPT.OUTCOME.in(end.from))
                .execute();
    }

    /** The attempt found nothing to do yet (artifact not uploaded): it leaves no row and costs nothing. */
    void forgetAttempt(Claim claim) {
        db.deleteFrom(JOB_ATTEMPT)
                .where(JOB_ATTEMPT.JOB_ID.eq(claim.jobId()), JOB_ATTEMPT.ATTEMPT_NO.eq(claim.attempt()),
                        JOB_ATTEMPT.OUTCOME.eq(AttemptOutcome.RUNNING))
                .execute();
    }

    /** SUCCEED or FAIL a claimed job; frees the build + artifact slot. */
    boolean finish(Claim claim, JobTransition.Ending ending, String error) {
        JobTransition move = ending.move;
        return db.update(JOB)
                .set(JOB.STATE, move.to)
                .set(JOB.FINISHED_AT, now())
                .set(JOB.LAST_ERROR, truncate(error))
                .set(JOB.ACTIVE_KEY, (String) null)
                // progress is written at most twice a second, so the last chunks may be missing
                .set(JOB.BYTES_DONE, move == JobTransition.SUCCEED ? DSL.coalesce(JOB.BYTES_TOTAL, JOB.BYTES_DONE) : JOB.BYTES_DONE)
                .where(fenced(claim, move))
                .execute() == 1;
    }

    /** RETRY_LATER or AWAIT_UPLOAD: the job waits for {@code nextAttemptAt} without a worker. */
    boolean park(Claim claim, JobTransition.Parking parking, String reason, Instant nextAttemptAt) {
        JobTransition move = parking.move;
        return db.update(JOB)
                .set(JOB.STATE, move.to)
                .set(JOB.LAST_ERROR, truncate(reason))
                .set(JOB.NEXT_ATTEMPT_AT, nextAttemptAt)
                // a check for an upload that is not there yet is not an attempt
                .set(JOB.ATTEMPTS, move == JobTransition.AWAIT_UPLOAD ? JOB.ATTEMPTS.minus(1) : JOB.ATTEMPTS)
                .where(fenced(claim, move))
                .execute() == 1;
    }

    /** A build with jobs waiting for their upload: the oldest job's creation and the first deadline. */
    record WaitingSummary(long buildId, Instant oldest, Instant firstDeadline) {}

    /** Every build with jobs in WAITING_UPLOAD (one indexed read for all of them). */
    List<WaitingSummary> waitingBuilds() {
        return db.select(JOB.BUILD_ID, DSL.min(JOB.CREATED_AT), DSL.min(JOB.WAIT_DEADLINE_AT)).from(JOB)
                .where(JOB.STATE.eq(JobState.WAITING_UPLOAD), ofCopiesHere()).groupBy(JOB.BUILD_ID)
                .fetch(r -> new WaitingSummary(r.value1(), r.value2(), r.value3()));
    }

    /** The build's jobs waiting for their upload. */
    WaitingBuild waitingIn(long buildId) {
        var build = db.select(BUILD.ARCHIVE_URL, BUILD.BUILD_PATH).from(BUILD).where(BUILD.ID.eq(buildId)).fetchOne();
        List<WaitingBuild.Job> jobs = db.select(JOB.ID, JOB.ARTIFACT, JOB.REQUIRED, JOB.CREATED_AT, JOB.WAIT_DEADLINE_AT).from(JOB)
                .where(JOB.BUILD_ID.eq(buildId), JOB.STATE.eq(JobState.WAITING_UPLOAD)).orderBy(JOB.ID)
                .fetch(r -> new WaitingBuild.Job(r.value1(), r.value2(), r.value3(), r.value4(), r.value5()));
        return build == null ? new WaitingBuild(buildId, null, null, List.of())
                : new WaitingBuild(buildId, build.value1(), build.value2(), jobs);
    }

    /** UPLOADED: the job's wait is over (its artifact arrived, or its deadline passed); false if it left WAITING_UPLOAD meanwhile. */
    boolean uploadWaitOver(long jobId) {
        return db.update(JOB).set(JOB.STATE, JobTransition.UPLOADED.to).set(JOB.NEXT_ATTEMPT_AT, (Instant) null)
                .where(JOB.ID.eq(jobId), JOB.STATE.in(JobTransition.UPLOADED.from)).execute() == 1;
    }

    /** REQUEUE at a graceful stop; the attempt does not count against the budget. */
    boolean handBack(Claim claim) {
        return db.update(JOB)
                .set(JOB.STATE, JobTransition.REQUEUE.to)
                .set(JOB.ATTEMPTS, JOB.ATTEMPTS.minus(1))
                .where(fenced(claim, JobTransition.REQUEUE))
                .execute() == 1;
    }

    /** Writes progress; false when the claim is gone (cancelled, or taken over by another node). */
    boolean recordProgress(Claim claim, long bytesDone, Long bytesTotal) {
        return db.update(JOB)
                .set(JOB.BYTES_DONE, bytesDone)
                // an unknown total (extracting a stream) keeps the size reserved for the job
                .set(JOB.BYTES_TOTAL, bytesTotal == null ? JOB.BYTES_TOTAL : DSL.val(bytesTotal))
                .where(held(claim))
                .execute() == 1;
    }

    boolean stillClaimed(Claim claim) {
        return db.fetchExists(JOB, held(claim));
    }

    /** The job is RUNNING under this claim. */
    private static Condition held(Claim claim) {
        return claimedIn(claim, EnumSet.of(JobState.RUNNING));
    }

    /** The move's guard, for the node and attempt that hold the claim. */
    private static Condition fenced(Claim claim, JobTransition move) {
        return claimedIn(claim, move.from);
    }

    private static Condition claimedIn(Claim claim, Set<JobState> states) {
        return JOB.ID.eq(claim.jobId()).and(JOB.STATE.in(states))
                .and(JOB.CLAIMED_BY.eq(claim.node())).and(JOB.ATTEMPTS.eq(claim.attempt()));
    }

    /**
     * CANCEL: a running worker notices at its next progress report. Returns the state the job was
     * cancelled from (the row is locked first, so it is exact), or empty when it was not active.
     */
    Optional<JobState> cancel(long jobId) {
        JobState was = db.select(JOB.STATE).from(JOB).where(JOB.ID.eq(jobId)).forUpdate().fetchOne(JOB.STATE);
        boolean cancelled = was != null && db.update(JOB)
                .set(JOB.STATE, JobTransition.CANCEL.to)
                .set(JOB.FINISHED_AT, now())
                .set(JOB.LAST_ERROR, "cancelled")
                .set(JOB.ACTIVE_KEY, (String) null)
                .where(JOB.ID.eq(jobId), JOB.STATE.in(JobTransition.CANCEL.from))
                .execute() == 1;
        return cancelled ? Optional.of(was) : Optional.empty();
    }

    /** OPERATOR_RETRY with a fresh attempt budget; refused if another job took the build + artifact slot. */
    boolean operatorRetry(long jobId) {
        JobRecord job = db.selectFrom(JOB).where(JOB.ID.eq(jobId)).fetchOne();
        if (job == null) {
            return false;
        }
        try {
            return db.update(JOB)
                    .set(JOB.STATE, JobTransition.OPERATOR_RETRY.to)
                    .set(JOB.ATTEMPTS, 0)
                    .set(JOB.NEXT_ATTEMPT_AT, (Instant) null)
                    .set(JOB.FINISHED_AT, (Instant) null)
                    .set(JOB.ACTIVE_KEY, activeKey(job.getBuildId(), job.getArtifact()))
                    .where(JOB.ID.eq(jobId), JOB.STATE.in(JobTransition.OPERATOR_RETRY.from))
                    .execute() == 1;
        } catch (IntegrityConstraintViolationException slotTaken) {
            return false;
        }
    }

    /**
     * REQUEUE every job claimed by one of {@code deadNodes}: its open attempt becomes ABANDONED
     * (naming the node) and the job goes back to the queue. Returns their ids.
     */
    List<Long> requeueOrphans(List<String> deadNodes) {
        if (deadNodes.isEmpty()) {
            return List.of();
        }
        var orphans = db.select(JOB.ID, JOB.CLAIMED_BY).from(JOB)
                .where(JOB.STATE.in(JobTransition.REQUEUE.from), JOB.CLAIMED_BY.in(deadNodes))
                .fetch();
        List<Long> requeued = new ArrayList<>();
        for (var orphan : orphans) {
            long id = orphan.value1();
            String node = orphan.value2();
            boolean won = db.update(JOB)
                    .set(JOB.STATE, JobTransition.REQUEUE.to)
                    .set(JOB.NEXT_ATTEMPT_AT, (Instant) null)
                    .where(JOB.ID.eq(id), JOB.STATE.in(JobTransition.REQUEUE.from), JOB.CLAIMED_BY.eq(node))
                    .execute() == 1;
            if (won) { // another node's reconciler may have been first
                db.update(JOB_ATTEMPT)
                        .set(JOB_ATTEMPT.OUTCOME, AttemptTransition.ABANDON.to)
                        .set(JOB_ATTEMPT.FINISHED_AT, now())
                        .set(JOB_ATTEMPT.ERROR, "node " + node + " stopped while running it")
                        .where(JOB_ATTEMPT.JOB_ID.eq(id), JOB_ATTEMPT.OUTCOME.in(AttemptTransition.ABANDON.from))
                        .execute();
                requeued.add(id);
            }
        }
        return requeued;
    }

    /** Jobs of this node's build copies that need a trigger to make progress, with when they are due. */
    List<Runnable> runnable() {
        return db.select(JOB.ID, JOB.REQUIRED, JOB.NEXT_ATTEMPT_AT).from(JOB).where(JOB.STATE.in(JobStates.RUNNABLE), ofCopiesHere())
                .orderBy(JOB.ID).fetch(r -> new Runnable(r.value1(), r.value2(), r.value3()));
    }

    /** Nodes that hold RUNNING jobs now. */
    List<String> claimants() {
        return db.selectDistinct(JOB.CLAIMED_BY).from(JOB).where(JOB.STATE.eq(JobState.RUNNING), JOB.CLAIMED_BY.isNotNull())
                .fetch(JOB.CLAIMED_BY);
    }

    /** Jobs RUNNING now, each with the node that claimed it. */
    Map<Long, String> runningWithClaimant() {
        return db.select(JOB.ID, JOB.CLAIMED_BY).from(JOB).where(JOB.STATE.eq(JobState.RUNNING)).fetchMap(JOB.ID, JOB.CLAIMED_BY);
    }

    /** An unclaimed job of a build copy whose holder takes no work now (dead, stopped or draining). */
    record Stranded(long jobId, long buildId, String archiveUrl, String buildPath, String artifact) {}

    /** Unclaimed jobs of build copies held by none of {@code ring} (hashed placement). */
    List<Stranded> stranded(List<String> ring) {
        return db.select(JOB.ID, JOB.BUILD_ID, BUILD.ARCHIVE_URL, BUILD.BUILD_PATH, JOB.ARTIFACT).from(JOB).join(BUILD).on(BUILD.ID.eq(JOB.BUILD_ID))
                // a copy on a shared volume ('') is stranded too: this database's nodes place builds by hashing now
                .where(JOB.STATE.in(JobStates.UNCLAIMED), BUILD.HOLDER.notIn(ring))
                .orderBy(JOB.ID)
                .fetch(r -> new Stranded(r.value1(), r.value2(), r.value3(), r.value4(), r.value5()));
    }

    /**
     * Moves an unclaimed job to another copy of its build (its build's home moved), in the state it
     * is in: the requests waiting on it wait on it there. When that copy has an active job for the
     * artifact already, those requests are linked to it instead and this job ends CANCELLED
     * (MERGE), saying where they went. The target copy's row is locked first, as recording a
     * request locks it, so no job for the artifact appears there meanwhile. Returns the job that
     * now carries the requests, or empty when the job was claimed or ended in between.
     */
    Optional<Long> moveToCopy(Stranded job, long targetBuild, String targetHolder) {
        db.select(BUILD.ID).from(BUILD).where(BUILD.ID.eq(targetBuild)).forUpdate().fetch();
        String key = activeKey(targetBuild, job.artifact());
        JobRecord there = db.selectFrom(JOB).where(JOB.ACTIVE_KEY.eq(key)).forUpdate().fetchOne();
        if (there == null) {
            boolean moved = db.update(JOB).set(JOB.BUILD_ID, targetBuild).set(JOB.ACTIVE_KEY, key)
                    .where(JOB.ID.eq(job.jobId()), JOB.BUILD_ID.eq(job.buildId()), JOB.STATE.in(JobStates.UNCLAIMED))
                    .execute() == 1;
            return moved ? Optional.of(job.jobId()) : Optional.empty();
        }
        Boolean required = db.select(JOB.REQUIRED).from(JOB).where(JOB.ID.eq(job.jobId())).fetchOne(JOB.REQUIRED);
        boolean merged = db.update(JOB)
                .set(JOB.STATE, JobTransition.MERGE.to)
                .set(JOB.FINISHED_AT, now())
                .set(JOB.LAST_ERROR, truncate("its build's home moved to " + targetHolder + "; its requests wait on job " + there.getId()))
                .set(JOB.ACTIVE_KEY, (String) null)
                .where(JOB.ID.eq(job.jobId()), JOB.BUILD_ID.eq(job.buildId()), JOB.STATE.in(JobTransition.MERGE.from))
                .execute() == 1;
        if (!merged) {
            return Optional.empty();
        }
        db.update(REQUEST_JOB).set(REQUEST_JOB.JOB_ID, there.getId()).where(REQUEST_JOB.JOB_ID.eq(job.jobId())).execute();
        if (Boolean.TRUE.equals(required) && !there.getRequired()) {
            db.update(JOB).set(JOB.REQUIRED, true).where(JOB.ID.eq(there.getId())).execute();
        }
        return Optional.of(there.getId());
    }

    /** A job waiting for a trigger: due at {@code nextAttemptAt}, or now when that is null. */
    record Runnable(long id, boolean required, Instant nextAttemptAt) {}

    static String truncate(String s) {
        return s == null || s.length() <= MAX_ERROR_LENGTH ? s : s.substring(0, MAX_ERROR_LENGTH) + "…";
    }

    /** Which job a request got, whether it was new, and whether it became required just now. */
    record Attachment(long jobId, boolean created, boolean upgraded) {}
}
