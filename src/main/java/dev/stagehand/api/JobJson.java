package dev.stagehand.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stagehand.db.types.AttemptOutcome;
import dev.stagehand.db.types.JobState;
import dev.stagehand.queue.AttemptView;
import dev.stagehand.queue.JobView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A job as the JSON API shows it; {@code history} only on a single job's page. */
@JsonInclude(JsonInclude.Include.ALWAYS)
record JobJson(long id, String artifact, boolean required, JobState state, int attempts,
        @JsonProperty("max_attempts") int maxAttempts,
        @JsonProperty("bytes_done") long bytesDone, @JsonProperty("bytes_total") Long bytesTotal,
        @JsonProperty("bytes_per_second") Long bytesPerSecond, @JsonProperty("eta_seconds") Long etaSeconds, String error,
        @JsonProperty("archive_url") String archiveUrl, @JsonProperty("build_path") String buildPath, String node,
        @JsonProperty("created_at") Instant createdAt, @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("finished_at") Instant finishedAt, @JsonProperty("next_attempt_at") Instant nextAttemptAt,
        @JsonProperty("wait_deadline_at") Instant waitDeadlineAt, List<AttemptJson> history) {

    record AttemptJson(@JsonProperty("attempt_no") int attemptNo, AttemptOutcome outcome, String error, String worker,
            @JsonProperty("started_at") Instant startedAt, @JsonProperty("finished_at") Instant finishedAt) {}

    static JobJson of(JobView j, List<AttemptView> attempts, Clock clock) {
        return of(j, j.required(), attempts, clock);
    }

    /** {@code required} is per request for a request's jobs, the job's own flag elsewhere. */
    static JobJson of(JobView j, boolean required, List<AttemptView> attempts, Clock clock) {
        Long rate = rate(j, clock);
        return new JobJson(j.id(), j.artifact(), required, j.state(), j.attempts(), j.maxAttempts(), j.bytesDone(),
                j.bytesTotal(), rate, eta(j, rate), j.lastError(), j.archiveUrl(), j.buildPath(), j.node(), j.createdAt(),
                j.startedAt(), j.finishedAt(), j.nextAttemptAt(), j.waitDeadline(),
                attempts == null ? null : attempts.stream().map(a -> new AttemptJson(a.attemptNo(), a.outcome(),
                        a.error(), a.worker(), a.startedAt(), a.finishedAt())).toList());
    }

    /** Seconds left at the attempt's rate so far (null unless running with a known size and some progress). */
    private static Long eta(JobView j, Long rate) {
        if (rate == null || rate <= 0 || j.bytesTotal() == null) {
            return null;
        }
        return Math.max(0, j.bytesTotal() - j.bytesDone()) / rate;
    }

    /** Average rate of the running attempt so far (null when not running). */
    private static Long rate(JobView j, Clock clock) {
        if (j.state() != JobState.RUNNING || j.startedAt() == null) {
            return null;
        }
        long ms = Math.max(1, Duration.between(j.startedAt(), clock.instant()).toMillis());
        return j.bytesDone() * 1000 / ms;
    }
}
