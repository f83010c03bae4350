package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.random;
import static dev.stagehand.testing.TestArchives.tar;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.db.schema.Tables;
import dev.stagehand.db.types.RequestOutcome;
import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.ServerMain;
import dev.stagehand.testing.TestArchives.Compression;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL at random moments while multi-artifact requests are staged, three times over; then
 * a final start must finish everything: every request settled, none left PENDING, every file
 * the archive's bytes, one job per build and artifact.
 */
@Tag("integration")
class RandomKillTest {
    static final String BUCKET = "bkt";
    static final int BUILDS = 3;
    static final String ARTIFACTS = "stateful,full_payload,symbols,control_files";

    @TempDir Path dir;
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    @Test
    void requestsAndFilesSurviveRandomKills() throws Exception {
        Random random = new Random(20261128);
        try (FakeGcs gcs = new FakeGcs()) {
            for (int b = 0; b < BUILDS; b++) {
                upload(gcs, b);
            }
            int requests = 0;
            for (int round = 0; round < 3; round++) {
                Path log = dir.resolve("server-" + round + ".log");
                Process child = ChildJvm.start(ServerMain.class, log, List.of(), dir.toString(), gcs.endpoint());
                try {
                    Eventually.await(Duration.ofSeconds(60), "the server to start", () -> ChildJvm.portFromLog(log) > 0);
                    int port = ChildJvm.portFromLog(log);
                    for (int i = 0; i < 4; i++) {
                        int build = random.nextInt(BUILDS);
                        String body = get(port, "/stage?archive_url=" + url(build) + "&artifacts=" + ARTIFACTS + "&async=True");
                        assertEquals("Success", body);
                        requests++;
                    }
                    int endedBeforeKill = random.nextInt(6);
                    Eventually.await(Duration.ofSeconds(60), endedBeforeKill + " jobs to end before the kill",
                            () -> endedJobs(port) >= endedBeforeKill);
                } finally {
                    ChildJvm.kill(child);
                }
            }
            try (Server server = Server.start(dir, gcs)) {
                var db = server.stagehand.database().dsl();
                Eventually.await(Duration.ofSeconds(120), "every request to settle", () ->
                        db.fetchCount(Tables.STAGE_REQUEST, Tables.STAGE_REQUEST.OUTCOME.eq(RequestOutcome.PENDING)) == 0);
                // A stage call for artifacts all staged already is answered without recording a request.
                int recorded = db.fetchCount(Tables.STAGE_REQUEST);
                assertTrue(recorded > 0 && recorded <= requests, "recorded " + recorded + " of " + requests);
                assertEquals(recorded, db.fetchCount(Tables.STAGE_REQUEST,
                        Tables.STAGE_REQUEST.OUTCOME.eq(RequestOutcome.SUCCEEDED)), "every request succeeded");
                for (int b = 0; b < BUILDS; b++) {
                    Path build = server.build("target/R" + b + "-1.0.0");
                    if (Files.exists(build.resolve("stateful.tgz"))) {
                        assertArrayEquals(Files.readAllBytes(build.resolve("stateful.tgz")), stateful(b));
                        assertArrayEquals(Files.readAllBytes(build.resolve("update.gz")), random(1 << 20, 100 + b));
                    }
                }
                assertEquals(0, db.fetchCount(db.select(Tables.JOB.BUILD_ID, Tables.JOB.ARTIFACT).from(Tables.JOB)
                        .groupBy(Tables.JOB.BUILD_ID, Tables.JOB.ARTIFACT).having(org.jooq.impl.DSL.count().gt(1))),
                        "one job per build and artifact");
            }
        }
    }

    private static String url(int build) {
        return "gs://" + BUCKET + "/target/R" + build + "-1.0.0";
    }

    private static byte[] stateful(int build) {
        return random(1 << 20, build);
    }

    private static void upload(FakeGcs gcs, int b) throws Exception {
        String path = "target/R" + b + "-1.0.0/";
        gcs.put(BUCKET, path + "stateful.tgz", stateful(b));
        gcs.put(BUCKET, path + "chromeos_R" + b + "-1.0.0_x_full_dev.bin", random(1 << 20, 100 + b));
        gcs.put(BUCKET, path + "debug.tgz", tar().file("debug/breakpad/a/b.sym", random(300_000, 200 + b)).build(Compression.GZIP));
        gcs.put(BUCKET, path + "control_files.tar", tar().file("autotest/server/site_tests/t/control", "x").build(Compression.NONE));
        for (String name : List.of("stateful.tgz", "chromeos_R" + b + "-1.0.0_x_full_dev.bin", "debug.tgz")) {
            gcs.faults(BUCKET, path + name).delayPerMegabyteMs = 800;
        }
    }

    private int endedJobs(int port) {
        try {
            return json.readTree(get(port, "/api/v1/jobs?state=SUCCEEDED&limit=1000")).size();
        } catch (Exception e) {
            return 0;
        }
    }

    private String get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
