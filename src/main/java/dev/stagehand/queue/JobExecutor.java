package dev.stagehand.queue;

import dev.stagehand.common.CallerText;
import dev.stagehand.db.types.AttemptOutcome;
import dev.stagehand.db.types.RequestOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one attempt of a job: claim it, run the handler, and record the outcome. Each outcome is
 * one transaction: the attempt row, the job's move, and the requests that move decides.
 */
final class JobExecutor {
    private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);
    private static final Duration BUILD_BUSY_PAUSE = Duration.ofSeconds(1);

    /** What the executor tells the queue after an attempt commits. */
    interface Outcomes {
        /** The job needs a trigger at {@code when} (a retry or an upload check). */
        void runAgainAt(long jobId, boolean required, Instant when);

        /** These requests got their outcome. */
        void settled(Map<Long, RequestOutcome> requests);
    }

    private final Stores stores;
    private final Ledger ledger;
    private volatile JobHandler handler;
    private final RetryPolicy retry;
    /** Draws the retry jitter; seeded by tests that check the delays. */
    private volatile java.util.Random jitter = new java.util.Random();
    private final Clock clock;
    private final String node;
    private final Outcomes outcomes;
    private volatile QueueEvents events = QueueEvents.NONE;
    private volatile boolean stopping;
    private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();

    private final StartSteps steps;

    JobExecutor(Stores stores, Ledger ledger, RetryPolicy retry, Clock clock, String node, Outcomes outcomes, StartSteps steps) {
        this.steps = steps;
        this.stores = stores;
        this.ledger = ledger;
        this.retry = retry;
        this.clock = clock;
        this.node = node;
        this.outcomes = outcomes;
    }

    /** Set once, before the workers start. */
    void handleWith(JobHandler handler, QueueEvents events) {
        this.handler = handler;
        this.events = events;
    }

    void seedJitter(long seed) {
        jitter = new java.util.Random(seed);
    }

    void stop() {
        stopping = true;
    }

    /** Attempts running on this node now. */
    int running() {
        return running.get();
    }

    /** Runs an attempt if the job can be claimed; false when the queue is stopping and nothing was tried. */
    boolean execute(long jobId) {
        if (stopping) {
            return false;
        }
        steps.reached(jobId, "fired", false);
        String worker = node + "/" + Thread.currentThread().getName();
        JobStore.ClaimAttempt claimed = stores.inTransaction(tx -> {
            JobStore.ClaimAttempt attempt = tx.jobs.claim(jobId, node);
            attempt.claim().ifPresent(c -> tx.jobs.startAttempt(c, worker));
            return attempt;
        });
        if (claimed.buildBusy()) {
            // Its build is being evicted or cleaned, which takes a moment: come back then.
            ledger.job(jobId).ifPresent(j -> outcomes.runAgainAt(jobId, j.required(), clock.instant().plus(BUILD_BUSY_PAUSE)));
            return true;
        }
        if (claimed.claim().isEmpty()) {
            return true; // not due, taken, cancelled or finished: this trigger was a duplicate
        }
        Claim claim = claimed.claim().get();
        steps.reached(jobId, "claimed", false);
        JobView job = ledger.job(jobId).orElseThrow();
        Instant started = clock.instant();
        events.attemptStarted(job, claim.attempt());
        log.info("attempt start: job {} build {} artifact {} attempt {}", job.id(), CallerText.escape(job.buildPath()),
                CallerText.escape(job.artifact()), claim.attempt());
        running.incrementAndGet();
        Ended ended;
        try {
            ended = run(job, claim);
        } finally {
            running.decrementAndGet();
            steps.forget(jobId); // a trace not ended by a reader ends with the attempt
        }
        if (ended == null) {
            return true; // an upload check, not an attempt
        }
        Duration took = Duration.between(started, clock.instant());
        long bytes = ledger.job(jobId).map(JobView::bytesDone).orElse(0L);
        events.attemptEnded(job, claim.attempt(), ended.outcome(), took, ended.error());
        log.info("attempt end: job {} build {} artifact {} attempt {} bytes {} duration_ms {} outcome {}{}", job.id(),
                CallerText.escape(job.buildPath()), CallerText.escape(job.artifact()), claim.attempt(), bytes,
                took.toMillis(), ended.outcome(), ended.error() == null ? "" : " error " + CallerText.escape(ended.error()));
        return true;
    }

    /** How an attempt ended, for the log and the events; null for an upload check that found nothing yet. */
    private record Ended(AttemptOutcome outcome, String error) {}

    private Ended run(JobView job, Claim claim) {
        AttemptVerdict verdict;
        try {
            handler.run(new JobRun(stores.jobs, clock, job, claim, () -> stopping, steps));
            return end(claim, JobTransition.Ending.SUCCEED, null);
        } catch (Exception | Error e) {
            verdict = AttemptVerdict.of(e, claim.attempt(), job.maxAttempts(), retry, jitter.nextDouble());
        }
        if (verdict instanceof AttemptVerdict.HandBack) {
            stores.inTransaction(tx -> {
                tx.jobs.endAttempt(claim, AttemptTransition.INTERRUPT, verdict.reason());
                return tx.jobs.handBack(claim);
            });
            return new Ended(AttemptOutcome.INTERRUPTED, verdict.reason());
        }
        if (verdict instanceof AttemptVerdict.Cancelled) {
            stores.jobs.endAttempt(claim, AttemptTransition.CANCEL, verdict.reason());
            discard(job.id());
            return new Ended(AttemptOutcome.CANCELLED, verdict.reason());
        }
        if (verdict instanceof AttemptVerdict.AwaitUpload) {
            return awaitUpload(job, claim, verdict.reason());
        }
        if (verdict instanceof AttemptVerdict.RetryAfter later) {
            return retryLater(job, claim, later);
        }
        return end(claim, JobTransition.Ending.FAIL, verdict.reason());
    }

    /** The artifact is not uploaded yet: the job waits without a worker or a trigger ({@link WatchUploads} watches it). */
    private Ended awaitUpload(JobView job, Claim claim, String reason) {
        boolean parked = stores.inTransaction(tx -> {
            tx.jobs.forgetAttempt(claim);
            return tx.jobs.park(claim, JobTransition.Parking.AWAIT_UPLOAD, reason, null);
        });
        if (parked) {
            // The end of the "attempt start" line above: the check does not count as an attempt.
            log.info("job {} starts waiting (attempt {} found nothing to stage yet and does not count): {}", job.id(),
                    claim.attempt(), CallerText.escape(reason));
        }
        return null;
    }

    private Ended retryLater(JobView job, Claim claim, AttemptVerdict.RetryAfter verdict) {
        Instant next = clock.instant().plus(verdict.delay());
        boolean parked = stores.inTransaction(tx -> {
            tx.jobs.endAttempt(claim, AttemptTransition.RETRY_LATER, verdict.reason());
            return tx.jobs.park(claim, JobTransition.Parking.RETRY_LATER, verdict.reason(), next);
        });
        if (parked) {
            outcomes.runAgainAt(job.id(), job.required(), next);
        }
        return new Ended(AttemptOutcome.RETRY, verdict.reason());
    }

    /** SUCCEED or FAIL, the attempt's row and the requests it decides, in one transaction. */
    private Ended end(Claim claim, JobTransition.Ending ending, String error) {
        Map<Long, RequestOutcome> settled = stores.inTransaction(tx -> {
            if (!tx.jobs.finish(claim, ending, error)) {
                return null; // the claim was lost meanwhile: whoever holds the job now decides
            }
            tx.jobs.endAttempt(claim, ending.attempt, error);
            return tx.requests.settleRequestsOf(claim.jobId());
        });
        if (settled == null) {
            return new Ended(AttemptOutcome.CANCELLED, "claim lost before the outcome was recorded");
        }
        if (ending == JobTransition.Ending.FAIL) {
            // Before the callers hear of it: one told "failed, out of space" may ask at once for
            // something else, which should find the room this job's partial file took.
            discard(claim.jobId());
        }
        outcomes.settled(settled);
        return new Ended(ending.attempt.to, error);
    }

    /** Frees what a job that will not run again kept for a resume (a failure here only costs disk). */
    void discard(long jobId) {
        try {
            handler.discard(jobId);
        } catch (RuntimeException e) {
            log.warn("could not discard the partial files of job {}", jobId, e);
        }
    }

}
