package dev.stagehand.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.common.CallerLimits;
import dev.stagehand.db.schema.Tables;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.MutableClock;
import dev.stagehand.testing.Server;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each limit on what callers may cost: a one-line 429 with Retry-After that queues nothing, shown on the status page. */
@Tag("integration")
class CallerLimitsTest {
    static final String BUCKET = "bkt";
    @TempDir Path dir;
    final MutableClock clock = new MutableClock();

    private Server start(FakeGcs gcs, CallerLimits limits) throws Exception {
        var s = Server.settings(dir, gcs);
        gcs.createBucket(BUCKET);
        return Server.start(s.withQueue(s.queue().withLimits(limits)), clock);
    }

    private static String stage(String build, String files) {
        return "/stage?archive_url=gs://" + BUCKET + "/t/" + build + "&files=" + files + "&async=True&wait_for_upload_s=600";
    }

    private static void assertRefused(Server server, HttpResponse<String> r, String flag) {
        assertEquals(429, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Retry-After").map(v -> Integer.parseInt(v) >= 1).orElse(false), "Retry-After");
        assertFalse(r.body().contains("\n") || r.body().contains("Exception"), r.body());
    }

    private static int jobs(Server server) {
        return server.stagehand.database().dsl().fetchCount(Tables.JOB);
    }

    private static int requests(Server server) {
        return server.stagehand.database().dsl().fetchCount(Tables.STAGE_REQUEST);
    }

    @Test
    void aRequestNamingTooManyItemsIsRefused() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = start(gcs, new CallerLimits(5, 100, 100, 100))) {
            var r = server.get(stage("R1", "a,b,c,d,e,f"));
            assertRefused(server, r, "--max-request-items");
            assertTrue(r.body().contains("at most 5 artifacts and files"), r.body());
            var json = server.post("/api/v1/stage", "{\"archive_url\":\"gs://bkt/t/R1\",\"files\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}");
            assertEquals(429, json.statusCode(), json.body());
            assertEquals(0, jobs(server) + requests(server), "nothing queued");
            assertEquals("Success", server.get(stage("R1", "a,b,c,d,e")).body());
            JsonNode hits = new ObjectMapper().readTree(server.get("/api/v1/status").body()).get("limits_hit");
            assertEquals("--max-request-items", hits.get(0).get("flag").asText());
            assertEquals(2, hits.get(0).get("refused_last_minute").asInt());
        }
    }

    @Test
    void activeJobsPerBuildAndInAllAreBounded() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = start(gcs, new CallerLimits(100, 3, 5, 100))) {
            assertEquals("Success", server.get(stage("R1", "a,b,c")).body());
            assertRefused(server, server.get(stage("R1", "d")), "--max-active-jobs-per-build");
            assertEquals("Success", server.get(stage("R1", "a,b")).body(), "attaching to active jobs creates none");
            clock.advance(Duration.ofSeconds(2));
            var all = server.get(stage("R2", "x,y,z"));
            assertRefused(server, all, "--max-active-jobs");
            assertTrue(all.body().contains("at most 5"), all.body());
            assertEquals(3, jobs(server), "the refused requests queued nothing");
            assertEquals("Success", server.get(stage("R2", "x,y")).body(), "within the limit");
        }
    }

    /** A pull-through is a stage request like any: the same limits bound it, with the same one-line 429. */
    @Test
    void pullThroughsAreBoundedByTheSameLimits() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = start(gcs, new CallerLimits(100, 2, 100, 100))) {
            assertEquals("Success", server.get(stage("R1", "a,b")).body()); // two jobs waiting for their uploads
            gcs.put(BUCKET, "t/R1/c", new byte[10]);
            int requestsBefore = requests(server);
            var r = server.get("/download/" + BUCKET + "/t/R1/c");
            assertRefused(server, r, "--max-active-jobs-per-build");
            assertEquals(2, jobs(server), "the refused pull-through queued nothing");
            assertEquals(requestsBefore, requests(server), "and recorded no request");
        }
    }

    @Test
    void jobsWaitingForTheirUploadAreBounded() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = start(gcs, new CallerLimits(100, 100, 100, 2))) {
            assertEquals("Success", server.get(stage("R1", "a,b,c")).body());
            var db = server.stagehand.database().dsl();
            Eventually.await(Duration.ofSeconds(30), "the jobs to wait for their upload", () -> db.fetchCount(Tables.JOB,
                    Tables.JOB.STATE.eq(dev.stagehand.db.types.JobState.WAITING_UPLOAD)) == 3);
            clock.advance(Duration.ofSeconds(2)); // past the one-second count the limit reads
            assertRefused(server, server.get(stage("R2", "d")), "--max-waiting-jobs");
            assertEquals(3, jobs(server));
        }
    }
}
