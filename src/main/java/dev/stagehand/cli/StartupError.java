package dev.stagehand.cli;

/** A setting the server cannot start with, found before any work: one line for the operator, exit 2. */
final class StartupError extends RuntimeException {
    StartupError(String message) {
        super(message);
    }
}
