package dev.stagehand.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(2), 2.0, Duration.ofSeconds(30), 5);

    @Test
    void delaysGrowByTheFactorLessAtMostATifthOfJitterUntilTheCap() {
        long[] full = {2000, 4000, 8000, 16000, 30000, 30000};
        for (int failed = 1; failed <= full.length; failed++) {
            long max = full[failed - 1];
            assertEquals(max * 8 / 10, policy.delayAfter(failed, 0.0).toMillis(), "the most jitter takes a fifth off");
            assertEquals(max, policy.delayAfter(failed, 1.0).toMillis(), "no jitter");
            assertEquals(max * 9 / 10, policy.delayAfter(failed, 0.5).toMillis());
        }
    }

    @Test
    void withAFactorOfAtLeastOneAndAQuarterEachDelayExceedsThePreviousUntilTheCap() {
        RetryPolicy steep = new RetryPolicy(Duration.ofMillis(100), 1.25, Duration.ofHours(1), 10);
        for (int failed = 1; failed < 8; failed++) {
            long previousMax = Math.round(100 * Math.pow(1.25, failed - 1));
            assertTrue(steep.delayAfter(failed + 1, 0.0).toMillis() >= previousMax, "delay after " + (failed + 1));
        }
    }

    @Test
    void nonsensePoliciesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofSeconds(1), 2, Duration.ofSeconds(5), 0));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(5), 3));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofSeconds(10), 2, Duration.ofSeconds(5), 3));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofSeconds(-1), 2, Duration.ofSeconds(5), 3));
    }
}
