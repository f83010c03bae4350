package dev.stagehand.cli;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `stagehand stage` and `stagehand status` in their own JVM (output not a terminal) against a running server. */
class ClientCommandsTest {
    static final String BUCKET = "bkt";
    static final String PATH = "target/R6-1.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;

    @TempDir Path dir;

    record Run(int exitCode, String output) {}

    private Run cli(String... args) throws Exception {
        Path log = Files.createTempFile(dir, "cli", ".out");
        Process p = ChildJvm.start(Main.class, log, List.of(), args);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command ended");
        return new Run(p.exitValue(), Files.readString(log));
    }

    @Test
    void stageShowsEachJobsProgressAsPlainLinesAndExitsZeroOnceStaged() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            gcs.put(BUCKET, PATH + "/stateful.tgz", random(3 << 20, 1));
            gcs.faults(BUCKET, PATH + "/stateful.tgz").delayPerMegabyteMs = 600;
            Run run = cli("stage", "--server", server.base(), URL, "stateful");
            assertEquals(0, run.exitCode(), run.output());
            List<String> lines = run.output().lines().toList();
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("stateful RUNNING ") && l.contains(" of 3.0 MiB")), run.output());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("stateful SUCCEEDED 3.0 MiB of 3.0 MiB")), run.output());
            assertEquals("staged " + URL, lines.get(lines.size() - 1));
            assertTrue(lines.stream().noneMatch(l -> l.contains("\r") || l.contains("\u001b")), "no terminal control characters");
            assertTrue(Files.exists(server.build(PATH).resolve("stateful.tgz")));
        }
    }

    @Test
    void aFailedStageExitsOneWithTheServersReason() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            gcs.put(BUCKET, PATH + "/stateful.tgz", random(1000, 3));
            Run run = cli("stage", "--server", server.base(), URL, "autotest");
            assertEquals(StageCommand.FAILED, run.exitCode(), run.output());
            assertTrue(run.output().contains("stage: autotest failed: autotest not found in archive " + URL), run.output());

            Run refused = cli("stage", "--server", server.base(), URL, "no_such_artifact");
            assertEquals(StageCommand.REFUSED, refused.exitCode(), refused.output());
            assertTrue(refused.output().startsWith("stage: ") && refused.output().contains("no_such_artifact"), refused.output());
            assertEquals(1, refused.output().lines().count(), "one line: " + refused.output());
        }
    }

    @Test
    void aServerThatIsNotThereIsSaidPlainly() throws Exception {
        Run run = cli("stage", "--server", "http://127.0.0.1:1", URL, "stateful");
        assertEquals(StageCommand.REFUSED, run.exitCode(), run.output());
        assertTrue(run.output().startsWith("stage: cannot connect to http://127.0.0.1:1"), run.output());
    }

    @Test
    void statusPrintsTheQueueAndTheFailures() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            gcs.put(BUCKET, PATH + "/stateful.tgz", random(4 << 20, 2));
            gcs.faults(BUCKET, PATH + "/stateful.tgz").delayPerMegabyteMs = 3000;
            assertEquals(500, server.get("/stage?archive_url=" + URL + "&artifacts=autotest&wait_for_upload_s=0").statusCode());
            assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
            dev.stagehand.testing.Eventually.await(java.time.Duration.ofSeconds(30), "the download to be under way",
                    () -> server.jobs("RUNNING", URL).stream().anyMatch(j -> j.bytesDone() > 0));

            Run status = cli("status", "--server", server.base());
            assertEquals(0, status.exitCode(), status.output());
            List<String> lines = status.output().lines().toList();
            assertTrue(lines.get(0).startsWith("node " + server.stagehand.queue().node() + ": 1 running"), status.output());
            assertTrue(lines.get(1).startsWith("job | state"), status.output());
            assertTrue(lines.stream().anyMatch(l -> l.matches("\\d+\\s+\\| RUNNING\\s+\\| " + PATH + "\\s+\\| stateful\\s+\\| .* of 4\\.0 MiB.*")),
                    status.output());

            Run failed = cli("status", "--server", server.base(), "--failed");
            assertEquals(0, failed.exitCode(), failed.output());
            assertTrue(failed.output().lines().anyMatch(l -> l.contains("| autotest") && l.contains("not found in archive")), failed.output());
            assertTrue(failed.output().contains("(1 row)"), failed.output());
        }
    }
}
