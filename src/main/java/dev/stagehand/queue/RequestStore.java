package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.REQUEST_JOB;
import static dev.stagehand.db.schema.Tables.STAGE_REQUEST;
import static org.jooq.impl.DSL.exists;
import static org.jooq.impl.DSL.notExists;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.selectOne;
import static org.jooq.impl.DSL.when;

import java.time.OffsetDateTime;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.SelectConditionStep;

/** Stage requests and which jobs each waits on; a request's outcome follows its required jobs. */
public final class RequestStore {
    private final DSLContext db;
    private final Clock clock;

    RequestStore(DSLContext db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    private OffsetDateTime now() {
        return DbTime.now(clock);
    }

    long create(long buildId, String artifacts, String files) {
        return db.insertInto(STAGE_REQUEST)
                .set(STAGE_REQUEST.BUILD_ID, buildId)
                .set(STAGE_REQUEST.ARTIFACTS, artifacts)
                .set(STAGE_REQUEST.FILES, files)
                .set(STAGE_REQUEST.CREATED_AT, now())
                .set(STAGE_REQUEST.OUTCOME, "PENDING")
                .returning(STAGE_REQUEST.ID).fetchOne().getId();
    }

    void link(long requestId, long jobId, boolean required) {
        db.insertInto(REQUEST_JOB)
                .set(REQUEST_JOB.REQUEST_ID, requestId)
                .set(REQUEST_JOB.JOB_ID, jobId)
                .set(REQUEST_JOB.REQUIRED, required)
                .execute();
    }

    /** Settles every pending request of this job whose required jobs are now all terminal. */
    void settleRequestsOf(long jobId) {
        settleWhere(STAGE_REQUEST.ID.in(select(REQUEST_JOB.REQUEST_ID).from(REQUEST_JOB).where(REQUEST_JOB.JOB_ID.eq(jobId))));
    }

    void settle(long requestId) {
        settleWhere(STAGE_REQUEST.ID.eq(requestId));
    }

    /**
     * One guarded UPDATE: a pending request none of whose required jobs is still active becomes
     * SUCCEEDED, or FAILED if any of them did not succeed.
     */
    private void settleWhere(Condition requests) {
        db.update(STAGE_REQUEST)
                .set(STAGE_REQUEST.OUTCOME, when(exists(requiredJobs(JOB.STATE.ne(JobState.SUCCEEDED.name()))), "FAILED")
                        .otherwise("SUCCEEDED"))
                .set(STAGE_REQUEST.FINISHED_AT, now())
                .where(requests, STAGE_REQUEST.OUTCOME.eq("PENDING"),
                        notExists(requiredJobs(JOB.STATE.in(JobStore.names(JobState.ACTIVE)))))
                .execute();
    }

    private SelectConditionStep<?> requiredJobs(Condition state) {
        return selectOne().from(REQUEST_JOB).join(JOB).on(JOB.ID.eq(REQUEST_JOB.JOB_ID))
                .where(REQUEST_JOB.REQUEST_ID.eq(STAGE_REQUEST.ID), REQUEST_JOB.REQUIRED.isTrue(), state);
    }

    public Optional<RequestView> find(long requestId) {
        return db.selectFrom(STAGE_REQUEST).where(STAGE_REQUEST.ID.eq(requestId)).fetchOptional()
                .map(r -> new RequestView(r.getId(), r.getBuildId(), r.getArtifacts(), r.getFiles(),
                        r.getOutcome(), DbTime.instant(r.getCreatedAt()), DbTime.instant(r.getFinishedAt()),
                        linkedJobs(requestId)));
    }

    private List<RequestView.Link> linkedJobs(long requestId) {
        return db.select(REQUEST_JOB.JOB_ID, REQUEST_JOB.REQUIRED).from(REQUEST_JOB)
                .where(REQUEST_JOB.REQUEST_ID.eq(requestId)).orderBy(REQUEST_JOB.JOB_ID)
                .fetch(r -> new RequestView.Link(r.value1(), r.value2()));
    }
}
