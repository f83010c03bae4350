package dev.stagehand.queue;

import java.time.Duration;

/**
 * How an attempt that threw ends, decided by a pure function of what it threw, which attempt it
 * was and the retry policy (with the jitter drawn by the caller), so that it can be tested alone.
 */
sealed interface AttemptVerdict {
    String reason();

    /** The server is stopping: the job goes back to the queue, the attempt not counted. */
    record HandBack(String reason) implements AttemptVerdict {}

    /** The job was cancelled or taken over: this attempt stops and writes nothing more. */
    record Cancelled(String reason) implements AttemptVerdict {}

    /** The artifact is not uploaded yet: the job waits, holding no worker. */
    record AwaitUpload(String reason) implements AttemptVerdict {}

    /** No retry can help, or the attempts are used up. */
    record Fail(String reason) implements AttemptVerdict {}

    /** Worth another attempt after {@code delay}. */
    record RetryAfter(Duration delay, String reason) implements AttemptVerdict {}

    /**
     * The verdict on {@code thrown} by attempt {@code attempt} (1-based) of {@code maxAttempts}; {@code jitter} in [0, 1)
     * shortens a retry's delay (see {@link RetryPolicy#delayAfter(int, double)}). An {@link Error}
     * (out of memory, a stack overflow) is a fault of this process, not of the archive: it fails
     * the job rather than retry it as if it were transient.
     */
    static AttemptVerdict of(Throwable thrown, int attempt, int maxAttempts, RetryPolicy policy, double jitter) {
        String reason = describe(thrown);
        if (thrown instanceof JobRun.ShutdownInterruption) {
            return new HandBack(reason);
        }
        if (thrown instanceof ClaimLost) {
            return new Cancelled(reason);
        }
        if (thrown instanceof NotReadyYet) {
            return new AwaitUpload(reason);
        }
        if (thrown instanceof PermanentFailure) {
            return new Fail(reason);
        }
        if (thrown instanceof Error) {
            return new Fail(reason + " (" + thrown.getClass().getSimpleName() + ": not retried)");
        }
        if (attempt >= maxAttempts) {
            return new Fail(reason + " (gave up after " + attempt + " attempts)");
        }
        return new RetryAfter(policy.delayAfter(attempt, jitter), reason);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
