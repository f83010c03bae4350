package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.EVICTION;
import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.JOB_ATTEMPT;
import static dev.stagehand.db.schema.Tables.NODE;
import static dev.stagehand.db.schema.Tables.REQUEST_JOB;
import static dev.stagehand.db.schema.Tables.STAGE_REQUEST;

import dev.stagehand.db.types.JobState;
import dev.stagehand.db.types.RequestOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * History retention: deletes finished requests, ended jobs (with their attempts) and evictions
 * older than the retention period, a small batch per transaction so no lock is held for long.
 * A build's latest SUCCEEDED job of each artifact is never deleted: it is how stagehand knows
 * what is staged.
 */
public final class PruneHistory {
    private static final Logger log = LoggerFactory.getLogger(PruneHistory.class);
    static final int BATCH = 500;

    private final DSLContext db;
    private final Clock clock;
    private final Duration keep;

    PruneHistory(DSLContext db, Clock clock, Duration keep) {
        this.db = db;
        this.clock = clock;
        this.keep = keep;
    }

    /** What one run deleted. */
    public record Pruned(int requests, int jobs, int evictions, int nodes) {}

    Pruned run() {
        Instant cutoff = clock.instant().minus(keep);
        int requests = 0;
        int jobs = 0;
        int evictions = 0;
        for (int n; (n = requestBatch(cutoff)) > 0; ) {
            requests += n;
        }
        for (int n; (n = jobBatch(cutoff)) > 0; ) {
            jobs += n;
        }
        for (int n; (n = evictionBatch(cutoff)) > 0; ) {
            evictions += n;
        }
        // Every run of every node adds a row; the stopped ones go with the rest of the history.
        int nodes = db.deleteFrom(NODE).where(NODE.STOPPED_AT.lt(cutoff)).execute();
        if (requests + jobs + evictions + nodes > 0) {
            log.info("history older than {} pruned: {} requests, {} jobs, {} evictions, {} stopped nodes", cutoff, requests, jobs,
                    evictions, nodes);
        }
        return new Pruned(requests, jobs, evictions, nodes);
    }

    private int requestBatch(Instant cutoff) {
        return db.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            List<Long> ids = tx.select(STAGE_REQUEST.ID).from(STAGE_REQUEST)
                    .where(STAGE_REQUEST.OUTCOME.ne(RequestOutcome.PENDING), STAGE_REQUEST.FINISHED_AT.lt(cutoff))
                    .limit(BATCH).fetch(STAGE_REQUEST.ID);
            if (!ids.isEmpty()) {
                tx.deleteFrom(REQUEST_JOB).where(REQUEST_JOB.REQUEST_ID.in(ids)).execute();
                tx.deleteFrom(STAGE_REQUEST).where(STAGE_REQUEST.ID.in(ids)).execute();
            }
            return ids.size();
        });
    }

    private int jobBatch(Instant cutoff) {
        var newer = JOB.as("newer");
        return db.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            List<Long> ids = tx.select(JOB.ID).from(JOB)
                    .where(JOB.STATE.notIn(JobStates.ACTIVE), JOB.FINISHED_AT.lt(cutoff))
                    // the latest success of its build + artifact stays
                    .and(JOB.STATE.ne(JobState.SUCCEEDED).orExists(DSL.selectOne().from(newer)
                            .where(newer.BUILD_ID.eq(JOB.BUILD_ID), newer.ARTIFACT.eq(JOB.ARTIFACT),
                                    newer.STATE.eq(JobState.SUCCEEDED), newer.ID.gt(JOB.ID))))
                    // a job some kept request still points at stays with it
                    .andNotExists(DSL.selectOne().from(REQUEST_JOB).where(REQUEST_JOB.JOB_ID.eq(JOB.ID)))
                    .limit(BATCH).fetch(JOB.ID);
            if (!ids.isEmpty()) {
                tx.deleteFrom(JOB_ATTEMPT).where(JOB_ATTEMPT.JOB_ID.in(ids)).execute();
                tx.deleteFrom(JOB).where(JOB.ID.in(ids)).execute();
            }
            return ids.size();
        });
    }

    private int evictionBatch(Instant cutoff) {
        return db.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            List<Long> ids = tx.select(EVICTION.ID).from(EVICTION).where(EVICTION.EVICTED_AT.lt(cutoff)).limit(BATCH)
                    .fetch(EVICTION.ID);
            if (!ids.isEmpty()) {
                tx.deleteFrom(EVICTION).where(EVICTION.ID.in(ids)).execute();
            }
            return ids.size();
        });
    }
}
