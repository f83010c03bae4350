package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static dev.stagehand.testing.TestArchives.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.ServerTest;
import dev.stagehand.testing.TestArchives.Compression;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The devserver RPCs against the real server, as lab tooling calls them. */
@Tag("integration")
class DevserverApiTest extends ServerTest {
    static final String BUCKET = "chromeos-image-archive";
    static final String PATH = "lumpy-release/R28-4100.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;


    @BeforeEach
    void uploadBuild() throws Exception {
        put("chromeos_R28-4100.0.0_lumpy_full_dev.bin", random(100_000, 1));
        put("chromeos_R28-4100.0.0_lumpy_full_dev.bin.json", "{}".getBytes());
        put("stateful.tgz", tar().file("var/x", "s").build(Compression.GZIP));
        put("test_suites.tar.bz2", tar().file("autotest/test_suites/control.bvt", "SUITE = 'bvt'").build(Compression.BZIP2));
        put("control_files.tar", tar().file("autotest/server/site_tests/login/control", "NAME='login'\nATTRIBUTES = 'suite:bvt'")
                .file("autotest/client/site_tests/dummy/control", "NAME='dummy'\nATTRIBUTES = 'suite:smoke'").build(Compression.NONE));
        put("autotest_packages.tar", tar().file("pkg.tar", "p").build(Compression.NONE));
        put("autotest.tar", tar().file("autotest/client/common.py", "c").build(Compression.NONE));
        put("debug.tgz", tar().file("debug/breakpad/a.sym", "MODULE").build(Compression.GZIP));
        put("image.zip", dev.stagehand.testing.TestArchives.zip(java.util.Map.of(
                "chromiumos_test_image.bin", random(1000, 2), "chromiumos_base_image.bin", random(1000, 3))));
    }

    private void put(String name, byte[] content) {
        gcs.put(BUCKET, PATH + "/" + name, content);
    }

    private String body(String pathAndQuery) throws Exception {
        return server.get(pathAndQuery).body();
    }

    @Test
    void replaysTheReferenceDevserverIntegrationSequence() throws Exception {
        var before = server.get("/list_image_dir?archive_url=" + URL);
        assertEquals(200, before.statusCode());
        assertEquals(URL + " has not been staged on this devserver.", before.body());
        assertEquals("False", body("/is_staged?archive_url=" + URL + "&artifacts=full_payload,stateful"));
        assertEquals("Success", body("/stage?archive_url=" + URL + "&artifacts=full_payload,stateful"));
        assertEquals("True", body("/is_staged?archive_url=" + URL + "&artifacts=full_payload,stateful"));
        for (String file : new String[] {"update.gz", "update.gz.json", "stateful.tgz"}) {
            var download = server.get("/static/" + PATH + "/" + file);
            assertEquals(200, download.statusCode(), file);
            assertTrue(Files.exists(server.build(PATH).resolve(file)));
        }
        String listing = body("/list_image_dir?archive_url=" + URL);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("update.gz\t") && l.endsWith("\t100000")), listing);
        assertTrue(listing.contains("stateful.tgz"), listing);
    }

    @Test
    void legacyRpcsMapToStage() throws Exception {
        assertEquals("Success", body("/download?archive_url=" + URL));
        assertEquals("Success", body("/wait_for_status?archive_url=" + URL));
        assertEquals("Success", body("/stage_debug?archive_url=" + URL));
        assertEquals("Success", body("/stage_images?archive_url=" + URL + "&image_types=test,base"));
        assertEquals("True", body("/is_staged?archive_url=" + URL
                + "&artifacts=full_payload,test_suites,stateful,autotest,symbols,test_image,base_image"));
    }

    @Test
    void postWithFormParametersWorksLikeGet() throws Exception {
        var response = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/stage"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("archive_url=" + URL + "&artifacts=stateful")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("Success", response.body());
    }

    @Test
    void badInputIsA400WithAReasonAndQueuesNothing() throws Exception {
        String[][] cases = {
                {"/stage?artifacts=stateful", "missing parameter archive_url"},
                {"/stage?archive_url=http://example/x/y&artifacts=stateful", "unsupported archive_url scheme"},
                {"/stage?archive_url=" + URL + "&artifacts=nonsense", "unknown artifact 'nonsense'; known artifacts: au_suite"},
                {"/stage?archive_url=" + URL + "&files=../../etc/passwd", "invalid file name"},
                {"/stage?archive_url=" + URL + "&files=/etc/passwd", "invalid file name"},
                {"/stage?archive_url=" + URL + "&artifacts=stateful&async=maybe", "async must be True or False"},
                {"/stage?archive_url=" + URL + "&artifacts=stateful&clean=2", "clean must be True or False"},
                {"/stage?archive_url=" + URL, "nothing to stage"},
                {"/stage?archive_url=gs://bucket/a/../b&artifacts=stateful", "'..'"},
                {"/is_staged?archive_url=" + URL + "&artifacts=nonsense", "unknown artifact"},
        };
        for (String[] c : cases) {
            var response = server.get(c[0]);
            assertEquals(400, response.statusCode(), c[0]);
            assertTrue(response.body().contains(c[1]), c[0] + " -> " + response.body());
            assertFalse(response.body().contains("\n"), "one line");
        }
        assertEquals(0, server.jobs(null, null).size(), "nothing queued");
        assertEquals(404, server.get("/no_such_rpc").statusCode());
    }

    @Test
    void booleansAcceptTheDevserverSpellings() throws Exception {
        for (String value : new String[] {"True", "true", "1", "yes"}) {
            assertEquals("Success", body("/stage?archive_url=" + URL + "&artifacts=stateful&async=" + value));
        }
        for (String value : new String[] {"False", "false", "0", "no"}) {
            assertEquals("Success", body("/stage?archive_url=" + URL + "&artifacts=stateful&async=" + value));
        }
    }

    @Test
    void asyncAnswersAtOnceAndIsStagedBecomesTrue() throws Exception {
        gcs.faults(BUCKET, PATH + "/stateful.tgz").visibleAfterMillis = 1500;
        assertEquals("Success", body("/stage?archive_url=" + URL + "&artifacts=stateful&async=True&wait_for_upload_s=20"));
        assertEquals("False", body("/is_staged?archive_url=" + URL + "&artifacts=stateful"));
        dev.stagehand.testing.Eventually.await(Duration.ofSeconds(30), "is_staged True", () -> {
            try {
                return body("/is_staged?archive_url=" + URL + "&artifacts=stateful").equals("True");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void aFailedStageIs500NamingTheArtifactAndIsStagedReportsTheReason() throws Exception {
        var response = server.get("/stage?archive_url=" + URL + "&artifacts=recovery_image&wait_for_upload_s=0");
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("recovery_image"), response.body());
        var staged = server.get("/is_staged?archive_url=" + URL + "&artifacts=recovery_image");
        assertEquals(500, staged.statusCode());
        assertTrue(staged.body().contains("recovery_image") && staged.body().contains("has no member recovery_image.bin"),
                staged.body());
    }

    @Test
    void filesDeletedBehindOurBackAreNotStagedAndCanBeStagedAgain() throws Exception {
        assertEquals("Success", body("/stage?archive_url=" + URL + "&artifacts=stateful"));
        Files.delete(server.build(PATH).resolve("stateful.tgz"));
        assertEquals("False", body("/is_staged?archive_url=" + URL + "&artifacts=stateful"));
        assertEquals("Success", body("/stage?archive_url=" + URL + "&artifacts=stateful"));
        assertEquals("True", body("/is_staged?archive_url=" + URL + "&artifacts=stateful"));
    }

    @Test
    void cleanRemovesTheBuildFirstButRefusesWhileAJobOfTheBuildRuns() throws Exception {
        assertEquals("Success", body("/stage?archive_url=" + URL + "&artifacts=stateful"));
        Path marker = server.build(PATH).resolve("leftover.txt");
        Files.writeString(marker, "old");
        assertEquals("Success", body("/stage?archive_url=" + URL + "&artifacts=stateful&clean=True"));
        assertFalse(Files.exists(marker), "clean removed the old build");
        assertTrue(Files.exists(server.build(PATH).resolve("stateful.tgz")));

        gcs.faults(BUCKET, PATH + "/autotest.tar").delayPerMegabyteMs = 60_000;
        gcs.put(BUCKET, PATH + "/autotest.tar", tar().file("autotest/big.bin", random(1 << 20, 5)).build(Compression.NONE));
        assertEquals("Success", body("/stage?archive_url=" + URL + "&artifacts=autotest&async=True"));
        dev.stagehand.testing.Eventually.await(Duration.ofSeconds(20), "the autotest job to run", () ->
                server.jobs("RUNNING", URL).size() == 1);
        var refused = server.get("/stage?archive_url=" + URL + "&artifacts=stateful&clean=True");
        assertEquals(409, refused.statusCode());
        assertTrue(refused.body().contains("a job of that build is running"), refused.body());
        assertTrue(Files.exists(server.build(PATH).resolve("stateful.tgz")), "nothing was removed");
        long running = server.jobs("RUNNING", URL).get(0).id();
        server.stagehand.queue().cancel(running);
    }

    @Test
    void aBuildPathMustNameOneBuildSoCleanNeverReachesOutsideIt() throws Exception {
        assertEquals("Success", body("/stage?archive_url=" + URL + "&artifacts=stateful"));
        String[] outside = {
                "gs://" + BUCKET + "/lumpy-release",            // the target: every build under it
                "gs://other-bucket/lumpy-release",              // the same directory from another bucket
                "gs://" + BUCKET + "/" + PATH + "/nested",      // inside the staged build
                "gs://any-bucket/.stagehand",                   // stagehand's own bookkeeping
                "gs://any-bucket/x/.stagehand"};
        for (String url : outside) {
            var refused = server.get("/stage?archive_url=" + url + "&artifacts=stateful&clean=True");
            assertEquals(400, refused.statusCode(), url + " -> " + refused.body());
        }
        assertEquals("True", body("/is_staged?archive_url=" + URL + "&artifacts=stateful"), "nothing was removed");
        assertTrue(Files.exists(server.staticDir.resolve(".stagehand/markers")));
        assertEquals(400, server.get("/latestbuild?target=.stagehand").statusCode());
        assertEquals(400, server.get("/list_image_dir?archive_url=gs://b/.stagehand").statusCode());
    }

    @Test
    void latestBuildUsesVersionOrder() throws Exception {
        for (String b : new String[] {"R9-900.0.0", "R10-1000.0.0", "R10-999.0.0", "R10-1000.10.0", "R10-1000.9.0"}) {
            Files.createDirectories(server.staticDir.resolve("x86-release/" + b));
        }
        assertEquals("R10-1000.10.0", body("/latestbuild?target=x86-release"));
        assertEquals("R9-900.0.0", body("/latestbuild?target=x86-release&milestone=R9"));
        assertEquals(404, server.get("/latestbuild?target=nope-release").statusCode());
        assertEquals(400, server.get("/latestbuild?target=../etc").statusCode());
    }

    @Test
    void controlFilesListsAndReadsWithoutEscaping() throws Exception {
        assertEquals("Success", body("/stage?archive_url=" + URL + "&artifacts=control_files"));
        String all = body("/controlfiles?build=" + PATH);
        assertEquals("client/site_tests/dummy/control\nserver/site_tests/login/control", all);
        assertEquals("server/site_tests/login/control", body("/controlfiles?build=" + PATH + "&suite_name=bvt"));
        assertTrue(body("/controlfiles?build=" + PATH + "&control_path=server/site_tests/login/control").contains("NAME='login'"));
        assertEquals(400, server.get("/controlfiles?build=" + PATH + "&control_path=../../../../etc/passwd").statusCode());
        assertEquals(404, server.get("/controlfiles?build=" + PATH + "&control_path=server/nothing/control").statusCode());
    }

    @Test
    void checkHealthReportsDiskThreadsQueueAndUptime() throws Exception {
        assertEquals("Success", body("/stage?archive_url=" + URL + "&artifacts=stateful"));
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        // the queue's figures are read each second in the background: check_health never waits for the database
        dev.stagehand.testing.Eventually.await(java.time.Duration.ofSeconds(10), "the queue figures to be read again", () -> {
            try {
                return json.readTree(body("/check_health")).path("queue").path("SUCCEEDED").asInt() == 1;
            } catch (Exception e) {
                return false;
            }
        });
        var health = json.readTree(body("/check_health"));
        assertTrue(health.get("free_disk").asLong() >= 0);
        assertEquals(0, health.get("staging_thread_count").asInt());
        assertEquals(1, health.get("queue").get("SUCCEEDED").asInt());
        assertTrue(health.has("uptime_s"));
    }
}
