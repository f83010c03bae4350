package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.REQUEST_JOB;
import static dev.stagehand.db.schema.Tables.STAGE_REQUEST;

import dev.stagehand.db.types.JobState;
import dev.stagehand.db.types.RequestOutcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;

/**
 * Stage requests and the jobs each waits on. A request's outcome is decided by its required
 * jobs, inside the transaction of the job change that decides it (see {@link #settle}).
 */
final class RequestStore {
    private final DSLContext db;
    private final Clock clock;

    RequestStore(DSLContext db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    long create(long buildId, String artifacts, String files) {
        return db.insertInto(STAGE_REQUEST)
                .set(STAGE_REQUEST.BUILD_ID, buildId)
                .set(STAGE_REQUEST.ARTIFACTS, artifacts)
                .set(STAGE_REQUEST.FILES, files)
                .set(STAGE_REQUEST.CREATED_AT, clock.instant())
                .set(STAGE_REQUEST.OUTCOME, RequestOutcome.PENDING)
                .returning(STAGE_REQUEST.ID).fetchOne().getId();
    }

    void link(long requestId, long jobId, boolean required) {
        db.insertInto(REQUEST_JOB)
                .set(REQUEST_JOB.REQUEST_ID, requestId)
                .set(REQUEST_JOB.JOB_ID, jobId)
                .set(REQUEST_JOB.REQUIRED, required)
                .execute();
    }

    /** Settles the pending requests linked to a job that just ended; returns those settled, with their outcomes. */
    Map<Long, RequestOutcome> settleRequestsOf(long jobId) {
        return settle(db.select(REQUEST_JOB.REQUEST_ID).from(REQUEST_JOB).where(REQUEST_JOB.JOB_ID.eq(jobId))
                .fetch(REQUEST_JOB.REQUEST_ID));
    }

    /** The requests among {@code requestIds} whose outcome is decided, with it. */
    Map<Long, RequestOutcome> settledAmong(Collection<Long> requestIds) {
        return db.select(STAGE_REQUEST.ID, STAGE_REQUEST.OUTCOME).from(STAGE_REQUEST)
                .where(STAGE_REQUEST.ID.in(requestIds), STAGE_REQUEST.OUTCOME.ne(RequestOutcome.PENDING))
                .fetchMap(STAGE_REQUEST.ID, STAGE_REQUEST.OUTCOME);
    }

    /** Pending requests none of whose required jobs is still active (left by a crash or older code). */
    List<Long> stranded() {
        return db.select(STAGE_REQUEST.ID).from(STAGE_REQUEST)
                .where(STAGE_REQUEST.OUTCOME.eq(RequestOutcome.PENDING))
                .andNotExists(db.selectOne().from(REQUEST_JOB).join(JOB).on(JOB.ID.eq(REQUEST_JOB.JOB_ID))
                        .where(REQUEST_JOB.REQUEST_ID.eq(STAGE_REQUEST.ID), REQUEST_JOB.REQUIRED.isTrue(),
                                JOB.STATE.in(JobStates.ACTIVE)))
                .fetch(STAGE_REQUEST.ID);
    }

    /**
     * Decides each pending request among {@code candidates} whose required jobs have all ended:
     * SUCCEEDED if every one succeeded, FAILED otherwise. Must run in the transaction that
     * changed the jobs. The request rows are locked first (in id order, so two transactions
     * cannot deadlock) and the job states read after the lock: of two transactions ending the
     * last two jobs of one request, the second waits for the first to commit and then sees both
     * jobs ended, so one of them always settles the request.
     */
    Map<Long, RequestOutcome> settle(Collection<Long> candidates) {
        if (candidates.isEmpty()) {
            return Map.of();
        }
        List<Long> pending = db.select(STAGE_REQUEST.ID).from(STAGE_REQUEST)
                .where(STAGE_REQUEST.ID.in(candidates), STAGE_REQUEST.OUTCOME.eq(RequestOutcome.PENDING))
                .orderBy(STAGE_REQUEST.ID).forUpdate().fetch(STAGE_REQUEST.ID);
        if (pending.isEmpty()) {
            return Map.of();
        }
        Map<Long, List<JobState>> required = db.select(REQUEST_JOB.REQUEST_ID, JOB.STATE)
                .from(REQUEST_JOB).join(JOB).on(JOB.ID.eq(REQUEST_JOB.JOB_ID))
                .where(REQUEST_JOB.REQUEST_ID.in(pending), REQUEST_JOB.REQUIRED.isTrue())
                .fetchGroups(REQUEST_JOB.REQUEST_ID, JOB.STATE);
        Map<Long, RequestOutcome> settled = new java.util.LinkedHashMap<>();
        for (long id : pending) {
            List<JobState> states = required.getOrDefault(id, List.of());
            if (states.stream().anyMatch(JobStates::isActive)) {
                continue;
            }
            RequestTransition move = states.stream().allMatch(s -> s == JobState.SUCCEEDED)
                    ? RequestTransition.SUCCEED : RequestTransition.FAIL;
            int changed = db.update(STAGE_REQUEST)
                    .set(STAGE_REQUEST.OUTCOME, move.to)
                    .set(STAGE_REQUEST.FINISHED_AT, clock.instant())
                    .where(STAGE_REQUEST.ID.eq(id), STAGE_REQUEST.OUTCOME.in(move.from))
                    .execute();
            if (changed == 1) {
                settled.put(id, move.to);
            }
        }
        return settled;
    }
}
