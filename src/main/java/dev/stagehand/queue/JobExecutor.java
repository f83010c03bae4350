package dev.stagehand.queue;

import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one attempt of a job: claim, run the handler, record the outcome, plan a retry. */
final class JobExecutor {
    private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);

    /** What the executor tells the queue after an attempt. */
    interface Outcomes {
        void retryAt(JobRecordView job, Instant when);

        void ended(long jobId);
    }

    private final JobStore store;
    private final JobHandler handler;
    private final RetryPolicy retry;
    private final Clock clock;
    private final String bootId;
    private final Outcomes outcomes;
    private volatile boolean stopping;

    JobExecutor(JobStore store, JobHandler handler, RetryPolicy retry, Clock clock, String bootId, Outcomes outcomes) {
        this.store = store;
        this.handler = handler;
        this.retry = retry;
        this.clock = clock;
        this.bootId = bootId;
        this.outcomes = outcomes;
    }

    void stop() {
        stopping = true;
    }

    void execute(long jobId) {
        String worker = bootId + "/" + Thread.currentThread().getName();
        JobRecordView job = stopping ? null : store.inTransaction(tx -> {
            if (!tx.claim(jobId, bootId)) {
                return null; // not due, already taken, cancelled or finished: this trigger is a duplicate
            }
            JobRecordView claimed = tx.find(jobId).orElseThrow();
            tx.startAttempt(jobId, claimed.attempts(), worker);
            return claimed;
        });
        if (job == null) {
            return;
        }
        int attempt = job.attempts();
        try {
            handler.run(new JobRun(store, clock, job, attempt, () -> stopping));
            store.inTransaction(tx -> {
                tx.endAttempt(jobId, attempt, "SUCCEEDED", null);
                return tx.finish(jobId, JobState.SUCCEEDED, null);
            });
            outcomes.ended(jobId);
        } catch (JobRun.ShutdownInterruption e) {
            store.endAttempt(jobId, attempt, "INTERRUPTED", e.getMessage());
            store.requeueInterrupted(jobId);
        } catch (JobCancelledException e) {
            store.endAttempt(jobId, attempt, "CANCELLED", e.getMessage());
            outcomes.ended(jobId);
        } catch (PermanentFailure e) {
            fail(job, attempt, describe(e));
        } catch (Exception | Error e) {
            retryOrFail(job, attempt, describe(e));
        }
    }

    private void retryOrFail(JobRecordView job, int attempt, String error) {
        if (attempt >= job.maxAttempts()) {
            fail(job, attempt, error + " (gave up after " + attempt + " attempts)");
            return;
        }
        Instant next = clock.instant().plus(retry.delayAfter(attempt));
        boolean waiting = store.inTransaction(tx -> {
            tx.endAttempt(job.id(), attempt, "RETRY", error);
            return tx.scheduleRetry(job.id(), error, next);
        });
        if (waiting) {
            log.info("job {} ({}) attempt {} failed, retrying at {}: {}", job.id(), job.artifact(), attempt, next, error);
            outcomes.retryAt(job, next);
        } else {
            outcomes.ended(job.id()); // cancelled while it ran
        }
    }

    private void fail(JobRecordView job, int attempt, String error) {
        log.warn("job {} ({}) failed: {}", job.id(), job.artifact(), error);
        store.inTransaction(tx -> {
            tx.endAttempt(job.id(), attempt, "FAILED", error);
            return tx.finish(job.id(), JobState.FAILED, error);
        });
        outcomes.ended(job.id());
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
