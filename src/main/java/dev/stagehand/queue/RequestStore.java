package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.REQUEST_JOB;
import static dev.stagehand.db.schema.Tables.STAGE_REQUEST;

import java.time.OffsetDateTime;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;

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

    /** Settles every pending request whose required jobs are now all terminal. */
    void settleRequestsOf(long jobId) {
        List<Long> pending = db.selectDistinct(REQUEST_JOB.REQUEST_ID).from(REQUEST_JOB)
                .join(STAGE_REQUEST).on(STAGE_REQUEST.ID.eq(REQUEST_JOB.REQUEST_ID))
                .where(REQUEST_JOB.JOB_ID.eq(jobId), STAGE_REQUEST.OUTCOME.eq("PENDING"))
                .fetch(REQUEST_JOB.REQUEST_ID);
        pending.forEach(this::settle);
    }

    void settle(long requestId) {
        List<String> states = db.select(JOB.STATE).from(REQUEST_JOB).join(JOB).on(JOB.ID.eq(REQUEST_JOB.JOB_ID))
                .where(REQUEST_JOB.REQUEST_ID.eq(requestId), REQUEST_JOB.REQUIRED.isTrue())
                .fetch(JOB.STATE);
        if (states.stream().anyMatch(s -> !JobState.valueOf(s).isTerminal())) {
            return;
        }
        boolean ok = states.stream().allMatch(s -> s.equals(JobState.SUCCEEDED.name()));
        db.update(STAGE_REQUEST)
                .set(STAGE_REQUEST.OUTCOME, ok ? "SUCCEEDED" : "FAILED")
                .set(STAGE_REQUEST.FINISHED_AT, now())
                .where(STAGE_REQUEST.ID.eq(requestId), STAGE_REQUEST.OUTCOME.eq("PENDING"))
                .execute();
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
