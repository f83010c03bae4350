package dev.stagehand.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The retry decision alone: exception in, move and delay out. */
class AttemptVerdictTest {
    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(2), 2.0, Duration.ofSeconds(30), 5);

    private AttemptVerdict of(Throwable t, int attempt) {
        return AttemptVerdict.of(t, attempt, 3, policy, 1.0);
    }

    @Test
    void aTransientErrorIsRetriedAfterTheBackoffUntilTheAttemptsRunOut() {
        AttemptVerdict first = of(new IOException("connection reset"), 1);
        assertEquals(new AttemptVerdict.RetryAfter(Duration.ofSeconds(2), "connection reset"), first);
        assertEquals(new AttemptVerdict.RetryAfter(Duration.ofSeconds(4), "connection reset"), of(new IOException("connection reset"), 2));
        assertEquals(new AttemptVerdict.Fail("connection reset (gave up after 3 attempts)"), of(new IOException("connection reset"), 3));
    }

    @Test
    void eachKindOfEndHasItsOwnMove() {
        assertInstanceOf(AttemptVerdict.HandBack.class, of(new JobRun.ShutdownInterruption(), 1));
        assertInstanceOf(AttemptVerdict.Cancelled.class, of(new ClaimLost(7), 1));
        assertEquals(new AttemptVerdict.AwaitUpload("x not found yet"), of(new NotReadyYet("x not found yet"), 1));
        assertEquals(new AttemptVerdict.Fail("corrupt archive"), of(new PermanentFailure("corrupt archive"), 1));
        assertEquals(new AttemptVerdict.RetryAfter(Duration.ofSeconds(2), "NullPointerException"), of(new NullPointerException(), 1),
                "a message-less exception is named by its class");
    }

    @Test
    void anErrorOfThisProcessIsNotRetriedAsIfItWereTransient() {
        AttemptVerdict oom = of(new OutOfMemoryError("Java heap space"), 1);
        assertInstanceOf(AttemptVerdict.Fail.class, oom);
        assertTrue(oom.reason().contains("OutOfMemoryError") && oom.reason().contains("not retried"), oom.reason());
        assertInstanceOf(AttemptVerdict.Fail.class, of(new StackOverflowError(), 1));
    }
}
