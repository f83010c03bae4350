package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.BUILD;
import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.JOB_ATTEMPT;

import java.util.List;
import java.util.Map;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Read-only questions about jobs for the API and operators: listings, attempts, counts. */
public final class JobHistory {
    private final DSLContext db;
    private final JobStore jobs;

    JobHistory(DSLContext db, JobStore jobs) {
        this.db = db;
        this.jobs = jobs;
    }

    /** Jobs newest first, optionally of one state and/or archive URL. */
    public List<JobRecordView> list(String state, String archiveUrl, int limit, int offset) {
        Condition where = DSL.noCondition();
        if (state != null) {
            where = where.and(JOB.STATE.eq(state));
        }
        if (archiveUrl != null) {
            where = where.and(BUILD.ARCHIVE_URL.eq(archiveUrl));
        }
        return jobs.selectViews().where(where).orderBy(JOB.ID.desc()).limit(limit).offset(offset).fetch(JobStore::toView);
    }

    /** A job's attempts as plain maps (attempt_no, outcome, error, worker, started_at, finished_at). */
    public List<Map<String, Object>> attempts(long jobId) {
        return db.select(JOB_ATTEMPT.ATTEMPT_NO.as("attempt_no"), JOB_ATTEMPT.OUTCOME.as("outcome"),
                        JOB_ATTEMPT.ERROR.as("error"), JOB_ATTEMPT.WORKER.as("worker"),
                        JOB_ATTEMPT.STARTED_AT.as("started_at"), JOB_ATTEMPT.FINISHED_AT.as("finished_at"))
                .from(JOB_ATTEMPT).where(JOB_ATTEMPT.JOB_ID.eq(jobId)).orderBy(JOB_ATTEMPT.ATTEMPT_NO)
                .fetchMaps();
    }

    public Map<String, Integer> countByState() {
        return db.select(JOB.STATE, DSL.count()).from(JOB).groupBy(JOB.STATE).fetchMap(JOB.STATE, DSL.count());
    }
}
