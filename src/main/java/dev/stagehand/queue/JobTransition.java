package dev.stagehand.queue;

import static dev.stagehand.db.types.JobState.CANCELLED;
import static dev.stagehand.db.types.JobState.FAILED;
import static dev.stagehand.db.types.JobState.QUEUED;
import static dev.stagehand.db.types.JobState.RETRY_WAIT;
import static dev.stagehand.db.types.JobState.RUNNING;
import static dev.stagehand.db.types.JobState.SUCCEEDED;
import static dev.stagehand.db.types.JobState.WAITING_UPLOAD;

import dev.stagehand.db.types.JobState;
import java.util.EnumSet;
import java.util.Set;

/**
 * The one table of allowed state changes. Every UPDATE of {@code job.state} names its move and
 * takes its guard, {@code WHERE state IN (from)}, from here; a move whose guard fails changed
 * nothing and tells its caller it lost (cancelled meanwhile, claimed by another node, ...).
 */
enum JobTransition implements Move<JobState> {
    /** A worker takes a due job (one waiting for its upload is put back in the queue first: {@link #UPLOADED}). */
    CLAIM(RUNNING, QUEUED, RETRY_WAIT),
    SUCCEED(SUCCEEDED, RUNNING),
    FAIL(FAILED, RUNNING),
    /** The attempt failed and another is planned. */
    RETRY_LATER(RETRY_WAIT, RUNNING),
    /** The artifact is not uploaded yet: release the worker, check again later. */
    AWAIT_UPLOAD(WAITING_UPLOAD, RUNNING),
    /** The artifact arrived, or the wait's deadline passed: a worker takes it from here. */
    UPLOADED(QUEUED, WAITING_UPLOAD),
    /** A graceful stop hands the job to the next start; a dead node's job goes back to the queue. */
    REQUEUE(QUEUED, RUNNING),
    CANCEL(CANCELLED, QUEUED, RUNNING, RETRY_WAIT, WAITING_UPLOAD),
    /**
     * Its build's home moved (hashed placement) and the new home's copy has a job for the artifact
     * already: the requests go to that job, this one ends. (A job that can simply move to the new
     * copy keeps its state: no move of this table.)
     */
    MERGE(CANCELLED, QUEUED, RETRY_WAIT, WAITING_UPLOAD),
    /** An operator gives a failed job a fresh attempt budget. */
    OPERATOR_RETRY(QUEUED, FAILED);

    final JobState to;
    final Set<JobState> from;

    JobTransition(JobState to, JobState first, JobState... more) {
        this.to = to;
        this.from = EnumSet.of(first, more);
    }

    @Override
    public JobState to() {
        return to;
    }

    @Override
    public Set<JobState> from() {
        return from;
    }

    /** Whether some move takes a job from {@code from} to {@code to}: the state machine as a relation. */
    static boolean allowed(JobState from, JobState to) {
        return Move.allowed(values(), from, to);
    }

    /** The moves that end a claimed job, each with its attempt's end: {@link JobStore#finish} takes no other. */
    enum Ending {
        SUCCEED(JobTransition.SUCCEED, AttemptTransition.SUCCEED),
        FAIL(JobTransition.FAIL, AttemptTransition.FAIL);

        final JobTransition move;
        final AttemptTransition attempt;

        Ending(JobTransition move, AttemptTransition attempt) {
            this.move = move;
            this.attempt = attempt;
        }
    }

    /** The moves that park a claimed job without a worker: {@link JobStore#park} takes no other. */
    enum Parking {
        RETRY_LATER(JobTransition.RETRY_LATER),
        AWAIT_UPLOAD(JobTransition.AWAIT_UPLOAD);

        final JobTransition move;

        Parking(JobTransition move) {
            this.move = move;
        }
    }
}
