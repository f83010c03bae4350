package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.ServerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class JsonApiTest extends ServerTest {
    static final String BUCKET = "bkt";
    static final String PATH = "target/R7-1.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;
    final ObjectMapper json = new ObjectMapper();


    @BeforeEach
    void uploadBuild() throws Exception {
        gcs.put(BUCKET, PATH + "/stateful.tgz", random(10_000, 1));
        gcs.put(BUCKET, PATH + "/test_suites.tar.bz2",
                dev.stagehand.testing.TestArchives.tar().file("autotest/test_suites/control.bvt", "x")
                        .build(dev.stagehand.testing.TestArchives.Compression.BZIP2));
    }

    private JsonNode read(String body) throws Exception {
        return json.readTree(body);
    }

    @Test
    void stageWithoutWaitingAnswers202WithTheRequestAndItsJobs() throws Exception {
        var r = server.post("/api/v1/stage", "{\"archive_url\":\"" + URL + "\",\"artifacts\":[\"test_suites\"]}");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode request = read(r.body());
        assertEquals(URL, request.get("archive_url").asText());
        assertEquals(3, request.get("jobs").size(), "test_suites plus two optional related artifacts");
        JsonNode first = request.get("jobs").get(0);
        assertEquals("test_suites", first.get("artifact").asText());
        assertTrue(first.get("required").asBoolean());
        assertTrue(first.has("state") && first.has("attempts") && first.has("bytes_done") && first.has("bytes_total"));
        long id = request.get("id").asLong();
        Eventually.await(Duration.ofSeconds(30), "the request to settle", () -> {
            try {
                return read(server.get("/api/v1/requests/" + id).body()).get("outcome").asText().equals("SUCCEEDED");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void stageWaitingAnswersWhenTheRequiredJobsEnd() throws Exception {
        var r = server.post("/api/v1/stage", "{\"archive_url\":\"" + URL + "\",\"artifacts\":[\"stateful\"],\"wait\":true}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode request = read(r.body());
        assertEquals("SUCCEEDED", request.get("outcome").asText());
        assertEquals("SUCCEEDED", request.get("jobs").get(0).get("state").asText());
        assertEquals(10_000, request.get("jobs").get(0).get("bytes_done").asLong());
    }

    @Test
    void aSucceededJobReportsAllItsBytesDoneEvenWhenProgressWasThrottled() throws Exception {
        gcs.put(BUCKET, PATH + "/slow.bin", random(3 << 20, 2));
        gcs.faults(BUCKET, PATH + "/slow.bin").delayPerMegabyteMs = 400; // several progress reports, 500 ms apart at most
        JsonNode request = read(server.post("/api/v1/stage", "{\"archive_url\":\"" + URL + "\",\"files\":[\"slow.bin\"],\"wait\":true}").body());
        JsonNode job = request.get("jobs").get(0);
        assertEquals("SUCCEEDED", job.get("state").asText());
        assertEquals(3 << 20, job.get("bytes_total").asLong());
        assertEquals(3 << 20, job.get("bytes_done").asLong());
    }

    @Test
    void jobsCanBeListedFilteredAndReadWithTheirAttempts() throws Exception {
        server.post("/api/v1/stage", "{\"archive_url\":\"" + URL + "\",\"artifacts\":[\"stateful\"],\"wait\":true}");
        server.post("/api/v1/stage", "{\"archive_url\":\"" + URL + "\",\"artifacts\":[\"autotest\"],\"wait\":true,\"wait_for_upload_s\":0}");
        JsonNode failed = read(server.get("/api/v1/jobs?state=failed&archive_url=" + URL).body());
        assertEquals(1, failed.size());
        assertEquals("autotest", failed.get(0).get("artifact").asText());
        assertTrue(failed.get(0).get("error").asText().contains("not found in archive"));
        assertEquals(1, read(server.get("/api/v1/jobs?limit=1").body()).size());
        assertEquals(1, read(server.get("/api/v1/jobs?limit=1&offset=1").body()).size());
        JsonNode job = read(server.get("/api/v1/jobs/" + failed.get(0).get("id").asLong()).body());
        assertEquals(1, job.get("history").size());
        assertEquals("FAILED", job.get("history").get(0).get("outcome").asText());
        JsonNode attemptSchema = read(server.get("/api/v1/openapi.json").body()).at("/components/schemas/Attempt");
        java.util.Set<String> described = new java.util.TreeSet<>();
        attemptSchema.get("properties").fieldNames().forEachRemaining(described::add);
        java.util.Set<String> sent = new java.util.TreeSet<>();
        job.get("history").get(0).fieldNames().forEachRemaining(sent::add);
        assertEquals(described, sent, "the history is typed in openapi.json as it is sent");
        java.util.List<String> outcomes = new java.util.ArrayList<>();
        attemptSchema.at("/properties/outcome/enum").forEach(o -> outcomes.add(o.asText()));
        assertEquals(java.util.Arrays.stream(dev.stagehand.db.types.AttemptOutcome.values()).map(Enum::name).toList(), outcomes);
    }

    @Test
    void aFailedJobCanBeRetriedAndSucceedsOnceTheFileExists() throws Exception {
        var r = read(server.post("/api/v1/stage",
                "{\"archive_url\":\"" + URL + "\",\"files\":[\"late.bin\"],\"wait\":true,\"wait_for_upload_s\":0}").body());
        long jobId = r.get("jobs").get(0).get("id").asLong();
        assertEquals("FAILED", r.get("jobs").get(0).get("state").asText());
        gcs.put(BUCKET, PATH + "/late.bin", random(100, 2));
        var retried = server.post("/api/v1/jobs/" + jobId + "/retry", "");
        assertEquals(200, retried.statusCode(), retried.body());
        Eventually.await(Duration.ofSeconds(30), "the retried job to succeed", () ->
                server.job(jobId).state().name().equals("SUCCEEDED"));
        assertTrue(Files.exists(server.build(PATH).resolve("late.bin")));
        var again = server.post("/api/v1/jobs/" + jobId + "/retry", "");
        assertEquals(409, again.statusCode());
        assertEquals("conflict", read(again.body()).get("error").asText());
    }

    @Test
    void cancellingARunningJobStopsItAndStagesNothing() throws Exception {
        gcs.put(BUCKET, PATH + "/big.bin", random(4 << 20, 3));
        gcs.faults(BUCKET, PATH + "/big.bin").delayPerMegabyteMs = 2000;
        long jobId = read(server.post("/api/v1/stage", "{\"archive_url\":\"" + URL + "\",\"files\":[\"big.bin\"]}").body())
                .get("jobs").get(0).get("id").asLong();
        Eventually.await(Duration.ofSeconds(20), "the job to run", () ->
                server.job(jobId).state().name().equals("RUNNING"));
        var cancelled = server.post("/api/v1/jobs/" + jobId + "/cancel", "");
        assertEquals(200, cancelled.statusCode(), cancelled.body());
        assertEquals("CANCELLED", read(cancelled.body()).get("state").asText());
        Eventually.await(Duration.ofSeconds(20), "the worker to stop", () ->
                "CANCELLED".equals(server.attempts(jobId).get(0).outcome().name()));
        assertFalse(Files.exists(server.build(PATH).resolve("big.bin")), "nothing staged");
        assertEquals(409, server.post("/api/v1/jobs/" + jobId + "/cancel", "").statusCode());
    }

    @Test
    void errorsAreJsonWithTheRightStatus() throws Exception {
        var bad = server.post("/api/v1/stage", "{\"archive_url\":\"" + URL + "\",\"artifacts\":[\"nope\"]}");
        assertEquals(400, bad.statusCode());
        assertEquals("bad_request", read(bad.body()).get("error").asText());
        assertTrue(read(bad.body()).get("message").asText().contains("unknown artifact"));
        assertEquals(400, server.post("/api/v1/stage", "not json").statusCode());
        var missing = server.get("/api/v1/jobs/999");
        assertEquals(404, missing.statusCode());
        assertEquals("not_found", read(missing.body()).get("error").asText());
        assertEquals(404, server.get("/api/v1/requests/999").statusCode());
        assertEquals(400, server.get("/api/v1/jobs?state=bogus").statusCode());
        assertEquals(400, server.get("/api/v1/jobs/abc").statusCode());
        assertEquals(404, server.get("/api/v1/nothing").statusCode());
        assertEquals("not_found", read(server.get("/api/v1/nothing").body()).get("error").asText());
    }

    @Test
    void theOpenApiDocumentDescribesEveryRoute() throws Exception {
        JsonNode doc = read(server.get("/api/v1/openapi.json").body());
        assertEquals("3.0.3", doc.get("openapi").asText());
        for (String path : new String[] {"/api/v1/stage", "/api/v1/requests/{id}", "/api/v1/jobs", "/api/v1/jobs/{id}",
                "/api/v1/jobs/{id}/retry", "/api/v1/jobs/{id}/cancel", "/api/v1/builds", "/api/v1/evictions", "/api/v1/nodes",
                "/api/v1/nodes/{id}/drain", "/api/v1/status",
                "/download/{bucket}/{object}", "/extract/{bucket}/{object}", "/decompress/{bucket}/{object}"}) {
            assertTrue(doc.get("paths").has(path), path);
        }
        java.util.Set<String> nodeFields = new java.util.TreeSet<>();
        doc.at("/components/schemas/Node/properties").fieldNames().forEachRemaining(nodeFields::add);
        java.util.Set<String> sentFields = new java.util.TreeSet<>();
        read(server.get("/api/v1/nodes").body()).get(0).fieldNames().forEachRemaining(sentFields::add);
        assertEquals(nodeFields, sentFields, "a node is typed in openapi.json as it is sent");
        java.util.Set<String> operationIds = new java.util.HashSet<>();
        doc.get("paths").forEach(ops -> ops.forEach(op -> {
            assertTrue(op.hasNonNull("operationId"), op.toString());
            assertTrue(operationIds.add(op.get("operationId").asText()), "unique: " + op.get("operationId"));
        }));
    }

    @Test
    void everyAnswerNamesTheNodeThatGaveItAndTheNodeListShowsItAlive() throws Exception {
        String node = server.stagehand.queue().node();
        for (String path : new String[] {"/check_health", "/api/v1/jobs", "/api/v1/nothing", "/is_staged?archive_url=bad"}) {
            assertEquals(node, server.get(path).headers().firstValue("X-Stagehand-Node").orElse(null), path);
        }
        assertEquals(node, read(server.get("/check_health").body()).get("node").asText());
        JsonNode nodes = read(server.get("/api/v1/nodes").body());
        JsonNode self = null;
        for (JsonNode n : nodes) {
            if (n.get("id").asText().equals(node)) {
                self = n;
            }
        }
        assertTrue(self != null, nodes.toString());
        assertTrue(self.get("alive").asBoolean(), self.toString());
        var drain = server.post("/api/v1/nodes/" + node + "/drain", "{}");
        assertEquals(409, drain.statusCode(), "a shared volume has no ring to drain a node from: " + drain.body());
        assertEquals("conflict", read(drain.body()).get("error").asText());
        assertEquals(server.stagehand.port(), self.get("port").asInt());
        assertTrue(self.get("stopped_at").isNull(), self.toString());
    }
}
