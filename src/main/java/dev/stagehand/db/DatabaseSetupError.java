package dev.stagehand.db;

/** The database cannot be opened or brought up to date: one sentence for the operator, no stack trace. */
public final class DatabaseSetupError extends RuntimeException {
    public DatabaseSetupError(String message, Throwable cause) {
        super(message, cause);
    }
}
