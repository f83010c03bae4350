package dev.stagehand.db.types;

/** How a stage request ended, as {@code stage_request.outcome} stores it: decided by its required jobs. */
public enum RequestOutcome {
    PENDING,
    SUCCEEDED,
    FAILED
}
