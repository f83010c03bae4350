package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.REQUEST_JOB;
import static dev.stagehand.db.schema.Tables.STAGE_REQUEST;

import dev.stagehand.common.TaskIds;
import dev.stagehand.db.types.JobState;
import dev.stagehand.db.types.RequestOutcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        return createAll(buildId, artifacts, files, List.of(TaskIds.NONE)).get(0);
    }

    /**
     * Requests alike (callers who asked the same at the same moment), one per task that asked, in
     * one statement; their ids in the order of {@code tasks}. The ids come back in no promised
     * order, so each is matched to a task by the task ids its row holds (rows alike in those are
     * interchangeable).
     */
    List<Long> createAll(long buildId, String artifacts, String files, List<TaskIds> tasks) {
        var values = db.insertInto(STAGE_REQUEST, STAGE_REQUEST.BUILD_ID, STAGE_REQUEST.ARTIFACTS, STAGE_REQUEST.FILES,
                STAGE_REQUEST.CREATED_AT, STAGE_REQUEST.OUTCOME, STAGE_REQUEST.SWARMING_TASK_ID, STAGE_REQUEST.BBID);
        for (TaskIds task : tasks) {
            values = values.values(buildId, artifacts, files, clock.instant(), RequestOutcome.PENDING, task.swarmingTaskId(), task.bbid());
        }
        Map<TaskIds, Deque<Long>> idsByTask = new HashMap<>();
        values.returning(STAGE_REQUEST.ID, STAGE_REQUEST.SWARMING_TASK_ID, STAGE_REQUEST.BBID).fetch().stream()
                .sorted(Comparator.comparing(r -> r.get(STAGE_REQUEST.ID)))
                .forEach(r -> idsByTask.computeIfAbsent(new TaskIds(r.get(STAGE_REQUEST.SWARMING_TASK_ID), r.get(STAGE_REQUEST.BBID)),
                        t -> new ArrayDeque<>()).add(r.get(STAGE_REQUEST.ID)));
        return tasks.stream().map(task -> idsByTask.get(task).removeFirst()).toList();
    }

    void link(long requestId, long jobId, boolean required) {
        linkAll(List.of(requestId), jobId, required);
    }

    /** Links each of {@code requestIds} to the job, in one statement. */
    void linkAll(List<Long> requestIds, long jobId, boolean required) {
        var insert = db.insertInto(REQUEST_JOB, REQUEST_JOB.REQUEST_ID, REQUEST_JOB.JOB_ID, REQUEST_JOB.REQUIRED);
        var values = insert.values(requestIds.get(0), jobId, required);
        for (int i = 1; i < requestIds.size(); i++) {
            values = values.values(requestIds.get(i), jobId, required);
        }
        values.execute();
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
        Map<RequestTransition, List<Long>> decided = new java.util.EnumMap<>(RequestTransition.class);
        for (long id : pending) {
            List<JobState> states = required.getOrDefault(id, List.of());
            if (states.stream().anyMatch(JobStates::isActive)) {
                continue;
            }
            RequestTransition move = states.stream().allMatch(s -> s == JobState.SUCCEEDED)
                    ? RequestTransition.SUCCEED : RequestTransition.FAIL;
            decided.computeIfAbsent(move, m -> new ArrayList<>()).add(id);
        }
        // One UPDATE per outcome: the rows are locked above, so each of them is still PENDING.
        Map<Long, RequestOutcome> settled = new java.util.LinkedHashMap<>();
        decided.forEach((move, ids) -> {
            db.update(STAGE_REQUEST)
                    .set(STAGE_REQUEST.OUTCOME, move.to)
                    .set(STAGE_REQUEST.FINISHED_AT, clock.instant())
                    .where(STAGE_REQUEST.ID.in(ids), STAGE_REQUEST.OUTCOME.in(move.from))
                    .execute();
            ids.forEach(id -> settled.put(id, move.to));
        });
        return settled;
    }
}
