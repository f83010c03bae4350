package dev.stagehand.queue;

import dev.stagehand.db.types.JobState;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Read-only questions about the job ledger and the nodes that share it, for the HTTP layer, staging and operators. */
public interface Ledger {
    /** The answering node's id (the jobs it claims and the attempts it runs name it). */
    String nodeId();

    /** Attempts running on the answering node now. */
    int runningHere();

    /** The nodes on record (this one, others sharing the database, earlier runs), newest first. */
    List<NodeView> nodes(int limit);

    /** One node on record, by id. */
    Optional<NodeView> nodeById(String nodeId);

    Optional<JobView> job(long jobId);

    /** The given jobs, in id order (missing ids are left out). */
    List<JobView> jobs(Collection<Long> jobIds);

    List<JobView> jobs(JobFilter filter);

    List<JobView> jobsOfBuild(long buildId);

    /** The newest job of build + artifact in any state. */
    Optional<JobView> latest(long buildId, String artifact);

    /** Whether build + artifact has ever succeeded (job rows of a success are kept by retention). */
    boolean hasSucceeded(long buildId, String artifact);

    List<AttemptView> attempts(long jobId);

    Optional<RequestView> request(long requestId);

    /** Builds, most recently read first. */
    List<BuildView> builds(int limit, int offset);

    /** Evictions, newest first. */
    List<EvictionView> evictions(int limit);

    /** Ids of jobs that are not finished (their partial downloads are worth keeping). */
    Set<Long> activeJobIds();

    /** How many jobs of {@code state} ended at or after {@code since}. */
    int countEndedSince(JobState state, Instant since);

    /** Job counts by state; states without jobs are left out. */
    Map<JobState, Integer> countByState();
}
