package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.BUILD;
import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.JOB_ATTEMPT;

import dev.stagehand.db.schema.tables.records.JobRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.Record;
import org.jooq.exception.IntegrityConstraintViolationException;

/**
 * The job ledger. Every state change is one guarded UPDATE ({@code WHERE state IN (expected)}),
 * so two workers can never both run a job and no job moves backwards.
 */
public final class JobStore {
    private static final int MAX_ERROR_LENGTH = 3900;

    private final DSLContext db;
    private final Clock clock;

    public JobStore(DSLContext db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    private OffsetDateTime now() {
        return DbTime.now(clock);
    }

    /** Runs several ledger changes as one transaction (one commit instead of one per statement). */
    <T> T inTransaction(java.util.function.Function<JobStore, T> work) {
        return db.transactionResult(cfg -> work.apply(new JobStore(cfg.dsl(), clock)));
    }

    static String activeKey(long buildId, String artifact) {
        return buildId + ":" + artifact;
    }

    /**
     * The active job for build + artifact, or a new QUEUED one. The unique active key decides
     * races between callers; the loser attaches to the winner's job.
     */
    Attachment attachOrCreate(long buildId, String artifact, boolean required, int maxAttempts, Instant waitDeadline) {
        String key = activeKey(buildId, artifact);
        for (int i = 0; i < 5; i++) {
            JobRecord active = db.selectFrom(JOB).where(JOB.ACTIVE_KEY.eq(key)).fetchOne();
            if (active != null) {
                if (required && !active.getRequired()) {
                    db.update(JOB).set(JOB.REQUIRED, true).where(JOB.ID.eq(active.getId())).execute();
                    return new Attachment(active.getId(), false, true);
                }
                return new Attachment(active.getId(), false, false);
            }
            try {
                long id = db.insertInto(JOB)
                        .set(JOB.BUILD_ID, buildId)
                        .set(JOB.ARTIFACT, artifact)
                        .set(JOB.STATE, JobState.QUEUED.name())
                        .set(JOB.REQUIRED, required)
                        .set(JOB.ATTEMPTS, 0)
                        .set(JOB.MAX_ATTEMPTS, maxAttempts)
                        .set(JOB.WAIT_DEADLINE_AT, DbTime.at(waitDeadline))
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

    /** The newest SUCCEEDED job of build + artifact, if any. */
    Optional<Long> lastSucceeded(long buildId, String artifact) {
        return db.select(JOB.ID).from(JOB)
                .where(JOB.BUILD_ID.eq(buildId), JOB.ARTIFACT.eq(artifact), JOB.STATE.eq(JobState.SUCCEEDED.name()))
                .orderBy(JOB.ID.desc()).limit(1).fetchOptional(JOB.ID);
    }

    public boolean lastSucceededExists(long buildId, String artifact) {
        return lastSucceeded(buildId, artifact).isPresent();
    }

    public List<JobRecordView> ofBuild(long buildId) {
        return selectViews().where(JOB.BUILD_ID.eq(buildId)).orderBy(JOB.ID).fetch(JobStore::toView);
    }

    /** The newest job of build + artifact in any state. */
    public Optional<JobRecordView> latest(long buildId, String artifact) {
        return selectViews().where(JOB.BUILD_ID.eq(buildId), JOB.ARTIFACT.eq(artifact))
                .orderBy(JOB.ID.desc()).limit(1).fetchOptional(JobStore::toView);
    }

    /** QUEUED/RETRY_WAIT -> RUNNING, unless it is not yet due (an early duplicate trigger). */
    boolean claim(long jobId, String worker) {
        return db.update(JOB)
                .set(JOB.STATE, JobState.RUNNING.name())
                .set(JOB.ATTEMPTS, JOB.ATTEMPTS.plus(1))
                .set(JOB.STARTED_AT, now())
                .set(JOB.CLAIMED_BY, worker)
                .where(JOB.ID.eq(jobId), JOB.STATE.in(JobState.QUEUED.name(), JobState.RETRY_WAIT.name()))
                .and(JOB.NEXT_ATTEMPT_AT.isNull().or(JOB.NEXT_ATTEMPT_AT.le(now().plusSeconds(1))))
                .execute() == 1;
    }

    void startAttempt(long jobId, int attemptNo, String worker) {
        db.insertInto(JOB_ATTEMPT)
                .set(JOB_ATTEMPT.JOB_ID, jobId)
                .set(JOB_ATTEMPT.ATTEMPT_NO, attemptNo)
                .set(JOB_ATTEMPT.STARTED_AT, now())
                .set(JOB_ATTEMPT.OUTCOME, "RUNNING")
                .set(JOB_ATTEMPT.WORKER, worker)
                .execute();
    }

    void endAttempt(long jobId, int attemptNo, String outcome, String error) {
        db.update(JOB_ATTEMPT)
                .set(JOB_ATTEMPT.FINISHED_AT, now())
                .set(JOB_ATTEMPT.OUTCOME, outcome)
                .set(JOB_ATTEMPT.ERROR, truncate(error))
                .where(JOB_ATTEMPT.JOB_ID.eq(jobId), JOB_ATTEMPT.ATTEMPT_NO.eq(attemptNo),
                        JOB_ATTEMPT.OUTCOME.eq("RUNNING"))
                .execute();
    }

    /** RUNNING -> a terminal state; frees the build + artifact slot. */
    boolean finish(long jobId, JobState terminal, String error) {
        return db.update(JOB)
                .set(JOB.STATE, terminal.name())
                .set(JOB.FINISHED_AT, now())
                .set(JOB.LAST_ERROR, truncate(error))
                .set(JOB.ACTIVE_KEY, (String) null)
                // progress is written at most twice a second, so the last chunks may be missing
                .set(JOB.BYTES_DONE, terminal == JobState.SUCCEEDED ? DSL.coalesce(JOB.BYTES_TOTAL, JOB.BYTES_DONE) : JOB.BYTES_DONE)
                .where(JOB.ID.eq(jobId), JOB.STATE.eq(JobState.RUNNING.name()))
                .execute() == 1;
    }

    /** RUNNING -> QUEUED at shutdown; the attempt does not count against the budget. */
    boolean requeueInterrupted(long jobId) {
        return db.update(JOB)
                .set(JOB.STATE, JobState.QUEUED.name())
                .set(JOB.ATTEMPTS, JOB.ATTEMPTS.minus(1))
                .where(JOB.ID.eq(jobId), JOB.STATE.eq(JobState.RUNNING.name()))
                .execute() == 1;
    }

    boolean scheduleRetry(long jobId, String error, Instant nextAttemptAt) {
        return db.update(JOB)
                .set(JOB.STATE, JobState.RETRY_WAIT.name())
                .set(JOB.LAST_ERROR, truncate(error))
                .set(JOB.NEXT_ATTEMPT_AT, DbTime.at(nextAttemptAt))
                .where(JOB.ID.eq(jobId), JOB.STATE.eq(JobState.RUNNING.name()))
                .execute() == 1;
    }

    /** Writes progress; false when the job is no longer RUNNING (it was cancelled). */
    boolean recordProgress(long jobId, long bytesDone, Long bytesTotal) {
        return db.update(JOB)
                .set(JOB.BYTES_DONE, bytesDone)
                .set(JOB.BYTES_TOTAL, bytesTotal)
                .where(JOB.ID.eq(jobId), JOB.STATE.eq(JobState.RUNNING.name()))
                .execute() == 1;
    }

    boolean isRunning(long jobId) {
        return db.fetchExists(JOB, JOB.ID.eq(jobId), JOB.STATE.eq(JobState.RUNNING.name()));
    }

    /** QUEUED, RETRY_WAIT or RUNNING -> CANCELLED. A running worker notices at its next chunk. */
    boolean cancel(long jobId) {
        return db.update(JOB)
                .set(JOB.STATE, JobState.CANCELLED.name())
                .set(JOB.FINISHED_AT, now())
                .set(JOB.LAST_ERROR, "cancelled")
                .set(JOB.ACTIVE_KEY, (String) null)
                .where(JOB.ID.eq(jobId), JOB.STATE.in(names(JobState.ACTIVE)))
                .execute() == 1;
    }

    /** FAILED -> QUEUED with a fresh attempt budget; refused if another job took the slot. */
    boolean retry(long jobId) {
        JobRecord job = db.selectFrom(JOB).where(JOB.ID.eq(jobId)).fetchOne();
        if (job == null) {
            return false;
        }
        return db.update(JOB)
                .set(JOB.STATE, JobState.QUEUED.name())
                .set(JOB.ATTEMPTS, 0)
                .set(JOB.NEXT_ATTEMPT_AT, (OffsetDateTime) null)
                .set(JOB.FINISHED_AT, (OffsetDateTime) null)
                .set(JOB.ACTIVE_KEY, activeKey(job.getBuildId(), job.getArtifact()))
                .where(JOB.ID.eq(jobId), JOB.STATE.eq(JobState.FAILED.name()))
                .execute() == 1;
    }

    /**
     * Jobs left RUNNING by an earlier process are orphans: their open attempt is marked
     * ABANDONED and the job goes back to the queue. Returns their ids.
     */
    List<Long> requeueOrphans(String currentBoot) {
        List<Long> orphans = db.select(JOB.ID).from(JOB)
                .where(JOB.STATE.eq(JobState.RUNNING.name()), JOB.CLAIMED_BY.ne(currentBoot).or(JOB.CLAIMED_BY.isNull()))
                .fetch(JOB.ID);
        for (long id : orphans) {
            db.update(JOB_ATTEMPT)
                    .set(JOB_ATTEMPT.OUTCOME, "ABANDONED")
                    .set(JOB_ATTEMPT.FINISHED_AT, now())
                    .set(JOB_ATTEMPT.ERROR, "worker process died")
                    .where(JOB_ATTEMPT.JOB_ID.eq(id), JOB_ATTEMPT.OUTCOME.eq("RUNNING"))
                    .execute();
            db.update(JOB)
                    .set(JOB.STATE, JobState.QUEUED.name())
                    .set(JOB.NEXT_ATTEMPT_AT, (OffsetDateTime) null)
                    .where(JOB.ID.eq(id), JOB.STATE.eq(JobState.RUNNING.name()))
                    .execute();
        }
        return orphans;
    }

    /** Ids of jobs that are not finished (their partial downloads are worth keeping). */
    public java.util.Set<Long> activeIds() {
        return new java.util.HashSet<>(db.select(JOB.ID).from(JOB).where(JOB.STATE.in(names(JobState.ACTIVE))).fetch(JOB.ID));
    }

    /** Jobs that need a trigger to make progress. */
    List<JobRecordView> runnable() {
        return selectViews().where(JOB.STATE.in(names(JobState.RUNNABLE))).orderBy(JOB.ID).fetch(JobStore::toView);
    }

    public Optional<JobRecordView> find(long jobId) {
        return selectViews().where(JOB.ID.eq(jobId)).fetchOptional(JobStore::toView);
    }

    public List<JobRecordView> findAll(Collection<Long> jobIds) {
        return selectViews().where(JOB.ID.in(jobIds)).orderBy(JOB.ID).fetch(JobStore::toView);
    }

    /** The ids among {@code jobIds} whose state is terminal. */
    List<Long> terminalAmong(Collection<Long> jobIds) {
        return db.select(JOB.ID).from(JOB)
                .where(JOB.ID.in(jobIds), JOB.STATE.notIn(names(JobState.ACTIVE)))
                .fetch(JOB.ID);
    }

    org.jooq.SelectOnConditionStep<Record> selectViews() {
        return db.select(JOB.fields()).select(BUILD.ARCHIVE_URL, BUILD.BUILD_PATH)
                .from(JOB).join(BUILD).on(BUILD.ID.eq(JOB.BUILD_ID));
    }

    static JobRecordView toView(Record r) {
        return new JobRecordView(
                r.get(JOB.ID), r.get(JOB.BUILD_ID), r.get(BUILD.ARCHIVE_URL), r.get(BUILD.BUILD_PATH),
                r.get(JOB.ARTIFACT), JobState.valueOf(r.get(JOB.STATE)), r.get(JOB.REQUIRED),
                r.get(JOB.ATTEMPTS), r.get(JOB.MAX_ATTEMPTS), DbTime.instant(r.get(JOB.NEXT_ATTEMPT_AT)),
                DbTime.instant(r.get(JOB.WAIT_DEADLINE_AT)), r.get(JOB.LAST_ERROR), r.get(JOB.BYTES_DONE),
                r.get(JOB.BYTES_TOTAL), DbTime.instant(r.get(JOB.CREATED_AT)), DbTime.instant(r.get(JOB.STARTED_AT)),
                DbTime.instant(r.get(JOB.FINISHED_AT)));
    }

    static List<String> names(Collection<JobState> states) {
        return states.stream().map(Enum::name).toList();
    }

    private static String truncate(String s) {
        return s == null || s.length() <= MAX_ERROR_LENGTH ? s : s.substring(0, MAX_ERROR_LENGTH) + "…";
    }

    /** Which job a request got, whether it was new, and whether it became required just now. */
    record Attachment(long jobId, boolean created, boolean upgraded) {}
}
