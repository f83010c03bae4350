package dev.stagehand.cli;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `stagehand stage` and `stagehand status` in their own JVM (output not a terminal) against a running server. */
@Tag("integration")
class ClientCommandsTest {
    static final String BUCKET = "bkt";
    static final String PATH = "target/R6-1.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;
    static final int MB = 1 << 20;

    @TempDir Path dir;

    record Run(int exitCode, String output) {}

    /** A command running in its own JVM; its output so far can be read while it runs. */
    private final class Command implements AutoCloseable {
        final Process process;
        final Path log;

        Command(Map<String, String> env, String... args) throws IOException {
            log = Files.createTempFile(dir, "cli", ".out");
            process = ChildJvm.start(Main.class, log, List.of(), env, args);
        }

        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Run await() throws Exception {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the command ended");
            return new Run(process.exitValue(), output());
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private Run cli(String... args) throws Exception {
        try (Command command = new Command(Map.of(), args)) {
            return command.await();
        }
    }

    @Test
    void stageShowsEachJobsProgressAsPlainLinesAndExitsZeroOnceStaged() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            try {
                gcs.put(BUCKET, PATH + "/stateful.tgz", random(3 * MB, 1));
                FakeGcs.Faults download = gcs.faults(BUCKET, PATH + "/stateful.tgz");
                download.holdAt = MB;
                Run run;
                try (Command stage = new Command(Map.of(), "stage", "--server", server.base(), URL, "stateful")) {
                    Eventually.await(Duration.ofSeconds(60), "a line for the running download",
                            () -> stage.output().lines().anyMatch(l -> l.startsWith("stateful RUNNING ") && l.contains(" of 3.0 MiB")));
                    download.holdAt = -1;
                    run = stage.await();
                }
                assertEquals(ExitCodes.OK, run.exitCode(), run.output());
                List<String> lines = run.output().lines().toList();
                assertTrue(lines.stream().anyMatch(l -> l.matches("stateful RUNNING .* of 3\\.0 MiB \\(\\d+%\\), .*/s, .* left")),
                        "rate and time left: " + run.output());
                assertTrue(lines.stream().anyMatch(l -> l.equals("stateful SUCCEEDED 3.0 MiB of 3.0 MiB (100%)")), run.output());
                assertEquals("staged " + URL, lines.get(lines.size() - 1));
                assertFalse(run.output().contains("\r") || run.output().contains("\u001b"), "no terminal control characters");
                assertTrue(Files.exists(server.build(PATH).resolve("stateful.tgz")));
            } finally {
                gcs.releaseHolds();
            }
        }
    }

    @Test
    void stageTakesTheServerFromTheEnvironmentAndFilesAndAsync() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            gcs.put(BUCKET, PATH + "/notes.txt", "release notes".getBytes());
            Run run;
            try (Command stage = new Command(Map.of("STAGEHAND_SERVER", server.base()), "stage", "--files", "notes.txt", "--async", URL)) {
                run = stage.await();
            }
            assertEquals(ExitCodes.OK, run.exitCode(), run.output());
            assertTrue(run.output().matches("request \\d+ accepted: 1 job\\(s\\)\\s*"), run.output());
            Path notes = server.build(PATH).resolve("notes.txt");
            Eventually.await(Duration.ofSeconds(30), "the named file to be staged", () -> Files.exists(notes));
            assertEquals("release notes", Files.readString(notes));
        }
    }

    @Test
    void aFailedStageExitsOneWithTheServersReason() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            gcs.put(BUCKET, PATH + "/stateful.tgz", random(1000, 3));
            Run run = cli("stage", "--server", server.base(), URL, "autotest");
            assertEquals(ExitCodes.FAILED, run.exitCode(), run.output());
            assertTrue(run.output().contains("stage: autotest failed: autotest not found in archive " + URL), run.output());

            Run refused = cli("stage", "--server", server.base(), URL, "no_such_artifact");
            assertEquals(ExitCodes.REFUSED, refused.exitCode(), refused.output());
            assertTrue(refused.output().startsWith("stage: ") && refused.output().contains("no_such_artifact"), refused.output());
            assertEquals(1, refused.output().lines().count(), "one line: " + refused.output());
        }
    }

    @Test
    void aServerThatIsNotThereOrNotAUrlIsSaidPlainly() throws Exception {
        Run run = cli("stage", "--server", "http://127.0.0.1:1", URL, "stateful");
        assertEquals(ExitCodes.REFUSED, run.exitCode(), run.output());
        assertTrue(run.output().startsWith("stage: cannot connect to http://127.0.0.1:1"), run.output());

        Run notUrl = cli("status", "--server", "localhost:8080");
        assertEquals(ExitCodes.REFUSED, notUrl.exitCode(), notUrl.output());
        assertEquals("status: --server must be a URL such as http://127.0.0.1:8080", notUrl.output().strip());
    }

    @Test
    void statusPrintsTheQueueAndTheFailures() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            try {
                gcs.put(BUCKET, PATH + "/stateful.tgz", random(4 * MB, 2));
                FakeGcs.Faults download = gcs.faults(BUCKET, PATH + "/stateful.tgz");
                download.holdAt = MB;
                assertEquals(500, server.get("/stage?archive_url=" + URL + "&artifacts=autotest&wait_for_upload_s=0").statusCode());
                assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
                Eventually.await(Duration.ofSeconds(30), "the download to be under way",
                        () -> server.jobs("RUNNING", URL).stream().anyMatch(j -> j.bytesDone() > 0));

                Run status = cli("status", "--server", server.base());
                assertEquals(ExitCodes.OK, status.exitCode(), status.output());
                List<String> lines = status.output().lines().toList();
                assertTrue(lines.get(0).startsWith("node " + server.stagehand.queue().node() + ": 1 running"), status.output());
                assertTrue(lines.get(1).startsWith("job | state"), status.output());
                assertTrue(lines.stream().anyMatch(l -> l.matches("\\d+\\s+\\| RUNNING\\s+\\| " + PATH + "\\s+\\| stateful\\s+\\| .* of 4\\.0 MiB.*")),
                        status.output());

                Run failed = cli("status", "--server", server.base(), "--failed");
                assertEquals(ExitCodes.OK, failed.exitCode(), failed.output());
                assertTrue(failed.output().lines().anyMatch(l -> l.contains("| autotest") && l.contains("not found in archive")), failed.output());
                assertTrue(failed.output().contains("(1 row)"), failed.output());
            } finally {
                gcs.releaseHolds();
            }
        }
    }
}
