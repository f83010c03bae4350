package dev.stagehand.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.Eventually;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb that {@code mvn -Pdeb package} builds, installed with dpkg: the command, the system
 * user, the settings file and the unit; the server started briefly as that user; then removed
 * and purged cleanly. Needs root and dpkg; .ci/run builds the package first and sets
 * STAGEHAND_REQUIRE_DEB, so there it fails rather than skips.
 */
@Tag("integration")
class DebianPackageTest {
    @TempDir Path dir;

    private record Run(int exit, String output) {}

    private Run run(String... command) throws Exception {
        Path log = Files.createTempFile(dir, "cmd", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
        return new Run(p.exitValue(), Files.readString(log));
    }

    private Path debianPackage() throws Exception {
        boolean required = System.getenv("STAGEHAND_REQUIRE_DEB") != null;
        Path deb;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            deb = files.filter(f -> f.getFileName().toString().matches("stagehand_.*_all\\.deb")).findFirst().orElse(null);
        }
        boolean canInstall = "root".equals(System.getProperty("user.name")) && new ProcessBuilder("dpkg", "--version").start().waitFor() == 0;
        if (!required) {
            Assumptions.assumeTrue(deb != null && canInstall, "needs root, dpkg and target/stagehand_*_all.deb (mvn -B -Pdeb -DskipTests package)");
        }
        assertTrue(deb != null, "no target/stagehand_*_all.deb: build it with mvn -B -Pdeb -DskipTests package");
        assertTrue(canInstall, "installing the package needs root and dpkg");
        return deb;
    }

    @Test
    void installsRunsAsItsOwnUserAndRemovesCleanly() throws Exception {
        Path deb = debianPackage();
        run("dpkg", "--purge", "stagehand"); // a run cut short earlier may have left it
        Run installed = run("dpkg", "-i", deb.toString());
        assertEquals(0, installed.exit(), installed.output());
        try {
            assertTrue(run("stagehand", "--version").output().startsWith("stagehand "), "the command is on the PATH");
            assertEquals(0, run("id", "stagehand").exit(), "a stagehand system user");
            assertTrue(Files.isRegularFile(Path.of("/etc/stagehand/stagehand.conf")));
            assertTrue(Files.isDirectory(Path.of("/var/lib/stagehand/static")));
            Path unit = Path.of("/lib/systemd/system/stagehand.service");
            String unitText = Files.readString(unit);
            assertTrue(unitText.contains("Restart=on-failure") && unitText.contains("LimitNOFILE=65536") && unitText.contains("User=stagehand"));
            if (run("sh", "-c", "command -v systemd-analyze").exit() == 0) {
                Run verify = run("systemd-analyze", "verify", unit.toString());
                assertEquals(0, verify.exit(), verify.output());
            }
            serveBrieflyAsTheStagehandUser();
        } finally {
            Run removed = run("dpkg", "-r", "stagehand");
            assertEquals(0, removed.exit(), removed.output());
        }
        assertFalse(Files.exists(Path.of("/usr/bin/stagehand")), "remove takes the command");
        assertTrue(Files.exists(Path.of("/etc/stagehand/stagehand.conf")), "remove keeps the settings (a conffile)");
        assertTrue(Files.exists(Path.of("/var/lib/stagehand/db")), "remove keeps the staged builds and the history");
        Run purged = run("dpkg", "--purge", "stagehand");
        assertEquals(0, purged.exit(), purged.output());
        assertFalse(Files.exists(Path.of("/etc/stagehand")) || Files.exists(Path.of("/var/lib/stagehand")), "purge takes everything");
        assertTrue(run("id", "stagehand").exit() != 0, "and the user");
    }

    private void serveBrieflyAsTheStagehandUser() throws Exception {
        Path log = dir.resolve("serve.log");
        Process server = new ProcessBuilder("runuser", "-u", "stagehand", "--", "/usr/bin/stagehand", "serve",
                "--config", "/etc/stagehand/stagehand.conf", "--port", "0").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Eventually.await(Duration.ofSeconds(90), "the packaged server to listen", () -> read(log).contains("stagehand listening on port"));
            assertTrue(read(log).contains("static dir /var/lib/stagehand/static"), read(log));
            assertEquals("stagehand", Files.getOwner(Path.of("/var/lib/stagehand/db/stagehand.mv.db")).getName(),
                    "the database belongs to the stagehand user, not root");
        } finally {
            server.destroy(); // SIGTERM to runuser, which passes it on: a graceful stop
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            run("pkill", "-KILL", "-u", "stagehand");
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }
}
