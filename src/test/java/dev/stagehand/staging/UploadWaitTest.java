package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.Settings;
import dev.stagehand.db.types.AttemptOutcome;
import dev.stagehand.queue.JobView;
import dev.stagehand.queue.QueueConfig;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build still uploading holds no worker: with one worker, another build stages while it waits. */
@Tag("integration")
class UploadWaitTest {
    static final String BUCKET = "bkt";

    @TempDir Path dir;

    @Test
    void aJobWaitingForItsUploadReleasesTheOnlyWorkerAndUsesNoAttempt() throws Exception {
        try (FakeGcs gcs = new FakeGcs()) {
            Settings s = Server.settings(dir, gcs);
            Settings oneWorker = s.withQueue(new QueueConfig(1, s.queue().retry(), s.queue().waiterPollInterval()));
            try (Server server = Server.start(oneWorker)) {
                String uploading = "gs://" + BUCKET + "/target/R1-1.0.0";
                String ready = "gs://" + BUCKET + "/target/R2-1.0.0";
                gcs.put(BUCKET, "target/R2-1.0.0/stateful.tgz", random(1000, 2));
                assertEquals("Success", server.get("/stage?archive_url=" + uploading + "&artifacts=stateful&async=True"
                        + "&wait_for_upload_s=120").body());
                Eventually.await(Duration.ofSeconds(20), "the first job to wait for its upload",
                        () -> server.jobs("WAITING_UPLOAD", uploading).size() == 1);
                long started = System.nanoTime();
                assertEquals("Success", server.get("/stage?archive_url=" + ready + "&artifacts=stateful").body());
                assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 15,
                        "the other build staged while the first one waited");
                JobView waiting = server.jobs(null, uploading).get(0);
                assertTrue(waiting.lastError().contains("not found in archive") && waiting.lastError().contains("waiting until"),
                        waiting.lastError());
                assertTrue(waiting.nextAttemptAt() == null && waiting.waitDeadline() != null, "watched, not triggered");
                gcs.put(BUCKET, "target/R1-1.0.0/stateful.tgz", random(1000, 1));
                Eventually.await(Duration.ofSeconds(30), "the upload to be noticed and staged",
                        () -> server.jobs("SUCCEEDED", uploading).size() == 1);
                JobView done = server.jobs(null, uploading).get(0);
                assertEquals(1, done.attempts(), "checking for the upload used no attempt");
                assertEquals(List.of(AttemptOutcome.SUCCEEDED), server.attempts(done.id()).stream()
                        .map(a -> a.outcome()).toList(), "and left no attempt rows");
            }
        }
    }

    @Test
    void anUploadThatNeverComesFailsAtTheDeadlineWithTheUsualMessage() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            gcs.createBucket(BUCKET);
            String url = "gs://" + BUCKET + "/target/R3-1.0.0";
            var response = server.get("/stage?archive_url=" + url + "&artifacts=stateful&wait_for_upload_s=2");
            assertEquals(500, response.statusCode());
            assertTrue(response.body().contains("stateful not found in archive " + url), response.body());
            JobView job = server.jobs(null, url).get(0);
            assertEquals("FAILED", job.state().name());
            assertTrue(!job.finishedAt().isBefore(job.waitDeadline()), "failed at its deadline, not before");
        }
    }
}
