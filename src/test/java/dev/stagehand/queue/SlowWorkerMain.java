package dev.stagehand.queue;

import dev.stagehand.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A worker process for the crash test: queues one job whose handler announces that it started
 * (the file {@code started}, with the job's id; {@code submitted} has the request's) and then
 * works for a long time, until the test kills the process. With {@code
 * at-once} after the directory, the queue is started first, so the job starts as its request
 * commits, without a Quartz trigger; else Quartz fires it. With {@code lined}, the queue has one
 * worker and a second job is queued while the first runs: it waits for the worker ({@code
 * lined-submitted} and {@code lined-job} name its request and job), in memory on an embedded
 * database, with a trigger on a shared one.
 */
public final class SlowWorkerMain {
    private SlowWorkerMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        var db = TestDb.open(dir);
        String mode = args.length > 1 ? args[1] : "fired";
        boolean lined = mode.equals("lined");
        JobQueue queue = new JobQueue(db, new QueueConfig(lined ? 1 : 2, QueueFixture.fastRetry(3), Duration.ofMillis(100)), run -> {
            Files.writeString(dir.resolve("started"), Long.toString(run.jobId()));
            Thread.sleep(600_000);
        }, Clock.systemUTC());
        long build = queue.buildLedger().copyId("gs://bucket/target/R1-crash", "target/R1-crash", "");
        boolean atOnce = !mode.equals("fired");
        if (atOnce) { // the job starts as its request commits, without a trigger
            queue.start();
        }
        Submission submitted = queue.submit(build, List.of(new JobSpec("autotest", true, null)), "autotest", "", QueueFixture.NOTHING_STAGED);
        if (lined) { // the first runs: the second waits for the only worker
            while (!Files.exists(dir.resolve("started"))) {
                Thread.sleep(10);
            }
            Submission second = queue.submit(build, List.of(new JobSpec("full_payload", true, null)), "full_payload", "",
                    QueueFixture.NOTHING_STAGED);
            Files.writeString(dir.resolve("lined-job"), Long.toString(second.jobIds().get(0)));
            Files.writeString(dir.resolve("lined-submitted"), Long.toString(second.requestId()));
        }
        Files.writeString(dir.resolve("submitted"), Long.toString(submitted.requestId()));
        if (!atOnce) { // the job waits for Quartz to fire its trigger
            queue.start();
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
