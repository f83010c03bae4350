package dev.stagehand.queue;

import dev.stagehand.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A worker process for the crash test: queues one job whose handler announces that it started
 * (a file) and then works for a long time, until the test kills the process.
 */
public final class SlowWorkerMain {
    private SlowWorkerMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        var db = TestDb.open(dir);
        JobQueue queue = new JobQueue(db, new QueueConfig(2, QueueFixture.fastRetry(3), Duration.ofMillis(100)), run -> {
            Files.writeString(dir.resolve("started-" + run.jobId()), "attempt " + run.attempt());
            Thread.sleep(600_000);
        }, Clock.systemUTC());
        long build = queue.buildLedger().copyId("gs://bucket/target/R1-crash", "target/R1-crash", "");
        queue.submit(build, List.of(new JobSpec("autotest", true, null)), "autotest", "", QueueFixture.NOTHING_STAGED);
        queue.start();
        Thread.sleep(Long.MAX_VALUE);
    }
}
