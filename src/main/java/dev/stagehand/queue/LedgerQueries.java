package dev.stagehand.queue;

import static dev.stagehand.db.schema.Tables.BUILD;
import static dev.stagehand.db.schema.Tables.EVICTION;
import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.JOB_ATTEMPT;
import static dev.stagehand.db.schema.Tables.REQUEST_JOB;
import static dev.stagehand.db.schema.Tables.STAGE_REQUEST;

import dev.stagehand.common.TaskIds;
import dev.stagehand.db.types.JobState;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SelectOnConditionStep;
import org.jooq.impl.DSL;

/** The {@link Ledger}: plain reads, no locks, nothing changed. */
final class LedgerQueries implements Ledger {
    private final DSLContext db;
    private final Nodes nodes;
    private final IntSupplier runningHere;

    LedgerQueries(DSLContext db, Nodes nodes, IntSupplier runningHere) {
        this.db = db;
        this.nodes = nodes;
        this.runningHere = runningHere;
    }

    @Override
    public String nodeId() {
        return nodes.self();
    }

    @Override
    public int runningHere() {
        return runningHere.getAsInt();
    }

    @Override
    public List<NodeView> nodes(int limit) {
        return nodes.list(limit);
    }

    @Override
    public Optional<NodeView> nodeById(String nodeId) {
        return nodes.view(nodeId);
    }

    @Override
    public Optional<JobView> job(long jobId) {
        return jobsWithBuild().where(JOB.ID.eq(jobId)).fetchOptional(LedgerQueries::toView);
    }

    @Override
    public List<JobView> jobs(Collection<Long> jobIds) {
        return jobsWithBuild().where(JOB.ID.in(jobIds)).orderBy(JOB.ID).fetch(LedgerQueries::toView);
    }

    @Override
    public List<JobView> jobs(JobFilter filter) {
        Condition where = DSL.noCondition();
        if (filter.states() != null) {
            where = where.and(JOB.STATE.in(filter.states()));
        }
        if (filter.finishedSince() != null) {
            where = where.and(JOB.FINISHED_AT.ge(filter.finishedSince()));
        }
        if (filter.archiveUrl() != null) {
            where = where.and(JOB.BUILD_ID.in(DSL.select(BUILD.ID).from(BUILD).where(BUILD.ARCHIVE_URL.eq(filter.archiveUrl()))));
        }
        // The page of ids first, from the job table alone (read backwards along its primary key),
        // then the rows with their builds: joining first made H2 sort the whole table.
        List<Long> page = db.select(JOB.ID).from(JOB).where(where).orderBy(JOB.ID.desc())
                .limit(filter.limit()).offset(filter.offset()).fetch(JOB.ID);
        return jobsWithBuild().where(JOB.ID.in(page)).orderBy(JOB.ID.desc()).fetch(LedgerQueries::toView);
    }

    @Override
    public List<JobView> jobsOfBuild(long buildId) {
        return jobsWithBuild().where(JOB.BUILD_ID.eq(buildId)).orderBy(JOB.ID).fetch(LedgerQueries::toView);
    }

    @Override
    public Optional<JobView> latest(long buildId, String artifact) {
        return jobsWithBuild().where(JOB.BUILD_ID.eq(buildId), JOB.ARTIFACT.eq(artifact))
                .orderBy(JOB.ID.desc()).limit(1).fetchOptional(LedgerQueries::toView);
    }

    @Override
    public boolean hasSucceeded(long buildId, String artifact) {
        return db.fetchExists(JOB, JOB.BUILD_ID.eq(buildId), JOB.ARTIFACT.eq(artifact), JOB.STATE.eq(JobState.SUCCEEDED));
    }

    @Override
    public List<AttemptView> attempts(long jobId) {
        return db.selectFrom(JOB_ATTEMPT).where(JOB_ATTEMPT.JOB_ID.eq(jobId)).orderBy(JOB_ATTEMPT.ATTEMPT_NO)
                .fetch(a -> new AttemptView(a.getAttemptNo(), a.getOutcome(), a.getError(), a.getWorker(),
                        a.getStartedAt(), a.getFinishedAt()));
    }

    @Override
    public Optional<RequestView> request(long requestId) {
        return db.selectFrom(STAGE_REQUEST).where(STAGE_REQUEST.ID.eq(requestId)).fetchOptional()
                .map(r -> new RequestView(r.getId(), r.getBuildId(), r.getArtifacts(), r.getFiles(), r.getOutcome(),
                        r.getCreatedAt(), r.getFinishedAt(), new TaskIds(r.getSwarmingTaskId(), r.getBbid()), links(requestId)));
    }

    private List<RequestView.Link> links(long requestId) {
        return db.select(REQUEST_JOB.JOB_ID, REQUEST_JOB.REQUIRED).from(REQUEST_JOB)
                .where(REQUEST_JOB.REQUEST_ID.eq(requestId)).orderBy(REQUEST_JOB.JOB_ID)
                .fetch(r -> new RequestView.Link(r.value1(), r.value2()));
    }

    @Override
    public List<BuildView> builds(int limit, int offset) {
        var lastEvicted = DSL.field(DSL.select(DSL.max(EVICTION.EVICTED_AT)).from(EVICTION).where(EVICTION.BUILD_ID.eq(BUILD.ID)));
        return db.select(BUILD.ID, BUILD.ARCHIVE_URL, BUILD.BUILD_PATH, BUILD.STATE, BUILD.STAGED_BYTES, BUILD.CREATED_AT,
                        BUILD.LAST_ACCESS_AT, lastEvicted, BUILD.HOLDER)
                .from(BUILD).orderBy(BUILD.LAST_ACCESS_AT.desc(), BUILD.ID.desc()).limit(limit).offset(offset)
                .fetch(r -> new BuildView(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(), r.value7(),
                        r.value8(), r.value9()));
    }

    @Override
    public List<EvictionView> evictions(int limit) {
        return db.select(EVICTION.ID, EVICTION.BUILD_ID, BUILD.BUILD_PATH, EVICTION.EVICTED_AT, EVICTION.REASON,
                        EVICTION.BYTES_FREED, EVICTION.NODE)
                .from(EVICTION).join(BUILD).on(BUILD.ID.eq(EVICTION.BUILD_ID)).orderBy(EVICTION.ID.desc()).limit(limit)
                .fetch(r -> new EvictionView(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(), r.value7()));
    }

    @Override
    public Set<Long> activeJobIds() {
        return new HashSet<>(db.select(JOB.ID).from(JOB).where(JOB.STATE.in(JobStates.ACTIVE)).fetch(JOB.ID));
    }

    @Override
    public int countEndedSince(JobState state, Instant since) {
        return db.fetchCount(JOB, JOB.STATE.eq(state), JOB.FINISHED_AT.ge(since));
    }

    @Override
    public Map<JobState, Integer> countByState() {
        Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
        db.select(JOB.STATE, DSL.count()).from(JOB).groupBy(JOB.STATE).forEach(r -> counts.put(r.value1(), r.value2()));
        return counts;
    }

    private SelectOnConditionStep<Record> jobsWithBuild() {
        return db.select(JOB.fields()).select(BUILD.ARCHIVE_URL, BUILD.BUILD_PATH)
                .from(JOB).join(BUILD).on(BUILD.ID.eq(JOB.BUILD_ID));
    }

    private static JobView toView(Record r) {
        return new JobView(
                r.get(JOB.ID), r.get(JOB.BUILD_ID), r.get(BUILD.ARCHIVE_URL), r.get(BUILD.BUILD_PATH),
                r.get(JOB.ARTIFACT), r.get(JOB.STATE), r.get(JOB.REQUIRED), r.get(JOB.ATTEMPTS), r.get(JOB.MAX_ATTEMPTS),
                r.get(JOB.NEXT_ATTEMPT_AT), r.get(JOB.WAIT_DEADLINE_AT), r.get(JOB.LAST_ERROR), r.get(JOB.BYTES_DONE),
                r.get(JOB.BYTES_TOTAL), r.get(JOB.CREATED_AT), r.get(JOB.STARTED_AT), r.get(JOB.FINISHED_AT),
                r.get(JOB.CLAIMED_BY));
    }
}
