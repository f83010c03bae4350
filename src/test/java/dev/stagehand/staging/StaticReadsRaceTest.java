package dev.stagehand.staging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file a job installs while a reader's path is checked is never taken for an escape: the check
 * looked for it (absent), then saw it (present) and refused it, and a device got a 404 for a file
 * that had just landed (StageAndServeTest's thousand readers met it once).
 */
class StaticReadsRaceTest {
    @TempDir Path dir;

    @Test
    void aFileInstalledDuringTheCheckStaysInItsBuild() throws Exception {
        StagingArea area = new StagingArea(dir.resolve("static"));
        Path build = area.buildDir("target/R1");
        Files.createDirectories(build);
        Path landed = Files.createDirectories(dir.resolve("static/.stagehand/work")).resolve("stateful.tgz");
        StaticReads reads = new StaticReads(area, null); // a plain file inside the build: the ledger is never asked
        int files = 20_000;
        Thread installs = new Thread(() -> {
            try {
                for (int i = 0; i < files; i++) { // each installed once, as a job does: an atomic move into place
                    Files.write(landed, new byte[] {1});
                    Files.move(landed, build.resolve(i + ".bin"), StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        installs.start();
        AtomicInteger refused = new AtomicInteger();
        for (int i = 0; i < files; i++) { // a reader asks for each until it is there
            boolean there;
            do {
                there = Files.exists(build.resolve(i + ".bin"));
                if (!reads.staysInBuild("target/R1/" + i + ".bin")) {
                    refused.incrementAndGet();
                }
            } while (!there);
        }
        installs.join();
        assertEquals(0, refused.get(), "a file of the build refused while it was being installed");
    }
}
