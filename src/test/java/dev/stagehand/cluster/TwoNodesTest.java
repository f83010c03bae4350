package dev.stagehand.cluster;

import static dev.stagehand.db.schema.Tables.BUILD;
import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.db.schema.Tables.JOB_ATTEMPT;
import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.db.Database;
import dev.stagehand.db.types.AttemptOutcome;
import dev.stagehand.db.types.JobState;
import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.ServerMain;
import dev.stagehand.testing.TestDb;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.Record3;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes on one PostgreSQL database and one staging directory. */
@Tag("integration")
class TwoNodesTest {
    static final String BUCKET = "bkt";

    @TempDir Path dir;

    @BeforeEach
    void needsASharedDatabase() {
        assumeTrue(TestDb.postgres(), "several nodes need a database they share (PostgreSQL)");
    }

    @Test
    void twoHundredFiftyCallersOnEachOfTwoNodesCauseOneJobAndOneDownload() throws Exception {
        String path = "target/R1-1.0.0";
        String url = "gs://" + BUCKET + "/" + path;
        int size = 2 * 1024 * 1024;
        try (FakeGcs gcs = new FakeGcs(); Server a = Server.start(dir, gcs); Server b = Server.start(dir, gcs)) {
            gcs.put(BUCKET, path + "/stateful.tgz", random(size, 1));
            gcs.faults(BUCKET, path + "/stateful.tgz").delayPerMegabyteMs = 1000;
            HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(16)).build();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                for (Server node : List.of(a, b)) {
                    calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create(node.base()
                            + "/stage?archive_url=" + url + "&artifacts=stateful")).timeout(Duration.ofSeconds(120)).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
            }
            Set<String> answeredBy = new java.util.HashSet<>();
            for (var call : calls) {
                HttpResponse<String> r = call.get(180, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("Success", r.body());
                answeredBy.add(r.headers().firstValue("X-Stagehand-Node").orElseThrow());
            }
            assertEquals(Set.of(a.stagehand.queue().node(), b.stagehand.queue().node()), answeredBy);
            assertEquals(1, a.jobs(null, url).size(), "one job for both nodes");
            assertEquals(1, a.attempts(a.jobs(null, url).get(0).id()).size(), "one execution");
            assertEquals(size, gcs.bytesServed(BUCKET, path + "/stateful.tgz"), "the object was downloaded once");
            assertArrayEquals(random(size, 1), Files.readAllBytes(b.build(path).resolve("stateful.tgz")));
        }
    }

    @Test
    void whenANodeIsKilledMidDownloadTheOtherFinishesItsJobsFromTheSharedPartialFiles() throws Exception {
        int builds = 20;
        int size = 4 * 1024 * 1024;
        try (FakeGcs gcs = new FakeGcs(); Database db = TestDb.open(dir)) {
            for (int i = 0; i < builds; i++) {
                gcs.put(BUCKET, path(i) + "/stateful.tgz", random(size, i));
                gcs.faults(BUCKET, path(i) + "/stateful.tgz").delayPerMegabyteMs = 600;
            }
            Process a = ChildJvm.start(ServerMain.class, dir.resolve("a.log"), List.of(), dir.toString(), gcs.endpoint());
            Process b = ChildJvm.start(ServerMain.class, dir.resolve("b.log"), List.of(), dir.toString(), gcs.endpoint());
            try {
                int portA = awaitPort(dir.resolve("a.log"));
                int portB = awaitPort(dir.resolve("b.log"));
                String nodeA = nodeOf(portA);
                String nodeB = nodeOf(portB);
                for (int i = 0; i < builds; i++) {
                    var r = get(i % 2 == 0 ? portA : portB, "/stage?archive_url=gs://" + BUCKET + "/" + path(i)
                            + "&artifacts=stateful&async=True");
                    assertEquals("Success", r.body());
                }
                DSLContext sql = db.dsl();
                Eventually.await(Duration.ofSeconds(60), "a download under way on node A", () -> sql.fetchExists(JOB,
                        JOB.CLAIMED_BY.eq(nodeA), JOB.STATE.eq(JobState.RUNNING), JOB.BYTES_DONE.gt(0L)));
                ChildJvm.kill(a);
                long killedAt = System.nanoTime();
                List<Long> orphaned = sql.select(JOB.ID).from(JOB)
                        .where(JOB.CLAIMED_BY.eq(nodeA), JOB.STATE.eq(JobState.RUNNING)).fetch(JOB.ID);
                assertFalse(orphaned.isEmpty());

                Eventually.await(Duration.ofSeconds(120), "every job to succeed on the surviving node",
                        () -> sql.fetchCount(JOB, JOB.STATE.eq(JobState.SUCCEEDED)) == builds);
                double recoverySeconds = (System.nanoTime() - killedAt) / 1e9;
                assertEquals(builds, sql.fetchCount(JOB), "one row per job");
                for (long job : sql.select(JOB.ID).from(JOB).fetch(JOB.ID)) {
                    assertEquals(1, sql.fetchCount(JOB_ATTEMPT, JOB_ATTEMPT.JOB_ID.eq(job),
                            JOB_ATTEMPT.OUTCOME.eq(AttemptOutcome.SUCCEEDED)), "job " + job + " succeeded once");
                }
                for (long job : orphaned) {
                    List<Record3<AttemptOutcome, String, String>> attempts = sql.select(JOB_ATTEMPT.OUTCOME, JOB_ATTEMPT.WORKER,
                            JOB_ATTEMPT.ERROR).from(JOB_ATTEMPT).where(JOB_ATTEMPT.JOB_ID.eq(job)).orderBy(JOB_ATTEMPT.ATTEMPT_NO).fetch();
                    var abandoned = attempts.get(attempts.size() - 2);
                    var last = attempts.get(attempts.size() - 1);
                    assertEquals(AttemptOutcome.ABANDONED, abandoned.value1(), "job " + job + ": " + attempts);
                    assertTrue(abandoned.value2().startsWith(nodeA + "/") && abandoned.value3().contains(nodeA), attempts.toString());
                    assertEquals(AttemptOutcome.SUCCEEDED, last.value1(), "job " + job + ": " + attempts);
                    assertTrue(last.value2().startsWith(nodeB + "/"), attempts.toString());
                }
                long resumed = orphaned.stream().filter(job -> resumedMidObject(gcs, sql, job)).count();
                assertTrue(resumed > 0, "node B resumed at least one of node A's downloads from its partial file");
                System.out.printf("failover: node A killed with %d job(s) running; all %d jobs SUCCEEDED %.1f s later;"
                        + " %d download(s) resumed mid-object on node B%n", orphaned.size(), builds, recoverySeconds, resumed);
                for (int i = 0; i < builds; i++) {
                    assertArrayEquals(random(size, i), Files.readAllBytes(dir.resolve("static").resolve(path(i)).resolve("stateful.tgz")),
                            "build " + i);
                }
            } finally {
                ChildJvm.kill(a);
                ChildJvm.kill(b);
            }
        }
    }

    private static String path(int build) {
        return "target/R1-1.0." + build;
    }

    private static boolean resumedMidObject(FakeGcs gcs, DSLContext sql, long job) {
        String buildPath = sql.select(BUILD.BUILD_PATH).from(BUILD).join(JOB).on(JOB.BUILD_ID.eq(BUILD.ID))
                .where(JOB.ID.eq(job)).fetchOne(BUILD.BUILD_PATH);
        return gcs.rangeStarts(BUCKET, buildPath + "/stateful.tgz").stream().anyMatch(start -> start > 0);
    }

    private static int awaitPort(Path log) {
        Eventually.await(Duration.ofSeconds(60), "a node to start (" + log.getFileName() + ")", () -> ChildJvm.portFromLog(log) > 0);
        return ChildJvm.portFromLog(log);
    }

    private static String nodeOf(int port) throws Exception {
        return new ObjectMapper().readTree(get(port, "/check_health").body()).get("node").asText();
    }

    private static HttpResponse<String> get(int port, String pathAndQuery) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
