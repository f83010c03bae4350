package dev.stagehand.staging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.ServerTest;
import dev.stagehand.testing.TestArchives;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A stage request reads ahead what its new job's first attempt needs (the build's listing, the
 * selected object's metadata), and the attempt takes it: the store is asked no more than
 * before, however many callers came, and a late upload is still seen.
 */
class ReadAheadStagingTest extends ServerTest {
    static final String PATH = "target/R1-3.0.0";
    static final String URL = "gs://bkt/" + PATH;

    @Test
    void aHerdOfCallersOfANewBuildCostsOneListingAndOneStat() throws Exception {
        byte[] bytes = TestArchives.random(1 << 20, 7);
        gcs.put("bkt", PATH + "/stateful.tgz", bytes);
        int lists = gcs.listRequests();
        int stats = gcs.metadataRequests();
        List<CompletableFuture<String>> callers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            callers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return server.get("/stage?archive_url=" + URL + "&artifacts=stateful").body();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<String> caller : callers) {
            assertEquals("Success", caller.get());
        }
        assertArrayEquals(bytes, Files.readAllBytes(server.build(PATH).resolve("stateful.tgz")));
        assertEquals(1, gcs.listRequests() - lists, "the attempt took the listing read ahead");
        assertEquals(1, gcs.metadataRequests() - stats, "and the metadata read ahead");
    }

    @Test
    void anArtifactUploadedAfterTheRequestIsStagedOnceItLands() throws Exception {
        gcs.createBucket("bkt");
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True&wait_for_upload_s=60").body());
        Eventually.await(Duration.ofSeconds(10), "the job waiting for its upload",
                () -> server.jobs("WAITING_UPLOAD", URL).size() == 1);
        // Another caller meanwhile: its read ahead finds no artifact, and must not be what the
        // waiting job's run after the upload takes.
        int lists = gcs.listRequests();
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True&wait_for_upload_s=60").body());
        Eventually.await(Duration.ofSeconds(10), "the second caller's read ahead", () -> gcs.listRequests() > lists);
        byte[] bytes = TestArchives.random(1 << 16, 8);
        gcs.put("bkt", PATH + "/stateful.tgz", bytes);
        Eventually.await(Duration.ofSeconds(20), "the artifact staged once uploaded", () -> isStaged());
        assertArrayEquals(bytes, Files.readAllBytes(server.build(PATH).resolve("stateful.tgz")));
    }

    private boolean isStaged() {
        try {
            return "True".equals(server.get("/is_staged?archive_url=" + URL + "&artifacts=stateful").body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
