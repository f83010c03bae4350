package dev.stagehand.db.types;

/** How one attempt of a job ended, as {@code job_attempt.outcome} stores it. */
public enum AttemptOutcome {
    /** Still running (or its node died; reconciliation turns that into ABANDONED). */
    RUNNING,
    SUCCEEDED,
    /** Failed; another attempt follows. */
    RETRY,
    /** Failed for good. */
    FAILED,
    CANCELLED,
    /** The node running it died or lost its claim; the job went back to the queue. */
    ABANDONED,
    /** The node shut down gracefully and handed the job back; the attempt does not count. */
    INTERRUPTED
}
