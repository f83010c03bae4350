package dev.stagehand.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.ServerTest;
import dev.stagehand.testing.TestArchives;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.jooq.Record;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The lab's task ids (X-SWARMING-TASK-ID, X-BBID) are kept with each request, so a job's history
 * leads back to the tasks that asked (the job_requests view, the request's JSON), and appear in
 * the access log line; a hostile value is escaped and cut to the column's width.
 */
@Tag("integration")
class TaskIdsTest extends ServerTest {
    private static final String DIR = "board-release/R3-1.0.0";
    private static final String URL = "gs://bkt/" + DIR;

    private HttpResponse<String> get(String path, String task, String bbid) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(30));
        if (task != null) {
            b.header("X-SWARMING-TASK-ID", task);
        }
        if (bbid != null) {
            b.header("X-BBID", bbid);
        }
        return server.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eachRequestKeepsTheTaskThatAskedAndTheJobsHistoryListsThem() throws Exception {
        gcs.put("bkt", DIR + "/image.bin", TestArchives.random(1 << 20, 3));
        Logger accessLog = (Logger) LoggerFactory.getLogger("stagehand.access");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        accessLog.addAppender(lines);
        try {
            assertEquals(200, get("/download/bkt/" + DIR + "/image.bin", "5f0a1b2c3d4e5f10", "8790123456789").statusCode());
            Eventually.await(Duration.ofSeconds(10), "the access line", () -> said(lines, "swarming task 5f0a1b2c3d4e5f10, bbid 8790123456789"));
        } finally {
            accessLog.detachAppender(lines);
        }
        // The devserver's stage, by another task, of a file not uploaded yet: recorded at once (async) with its ids.
        assertEquals(200, get("/stage?archive_url=" + URL + "&files=later.bin&async=True", "task-2", null).statusCode());

        List<Record> callers = server.stagehand.database().dsl()
                .fetch("SELECT j.artifact, r.request_id, r.swarming_task_id, r.bbid FROM job_requests r JOIN job_history j"
                        + " ON j.job_id = r.job_id ORDER BY r.request_id");
        assertEquals(2, callers.size());
        assertEquals(List.of("file:image.bin", "5f0a1b2c3d4e5f10", "8790123456789"),
                List.of(callers.get(0).get(0), callers.get(0).get(2), callers.get(0).get(3)));
        assertEquals("file:later.bin", callers.get(1).get(0));
        assertEquals("task-2", callers.get(1).get(2));
        assertNull(callers.get(1).get(3), "no X-BBID, no bbid");

        JsonNode request = new ObjectMapper().readTree(server.get("/api/v1/requests/" + callers.get(0).get(1)).body());
        assertEquals("5f0a1b2c3d4e5f10", request.get("swarming_task_id").asText());
        assertEquals("8790123456789", request.get("bbid").asText());
    }

    @Test
    void aHostileIdIsEscapedAndCutToTheColumn() throws Exception {
        String forged = "task-2\tINFO forged line " + "x".repeat(300); // a client sends no newline; a tab it may
        var r = server.post("/api/v1/stage", "{\"archive_url\": \"" + URL + "\", \"files\": [\"absent.bin\"]}");
        assertEquals(202, r.statusCode(), r.body());
        HttpResponse<String> sent = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/v1/stage"))
                .header("Content-Type", "application/json").header("X-SWARMING-TASK-ID", forged)
                .POST(HttpRequest.BodyPublishers.ofString("{\"archive_url\": \"" + URL + "\", \"files\": [\"absent.bin\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, sent.statusCode(), sent.body());
        JsonNode request = new ObjectMapper().readTree(sent.body());
        String kept = request.get("swarming_task_id").asText();
        assertEquals(128, kept.length());
        assertTrue(kept.startsWith("task-2\\x09INFO forged line xxx"), kept);
        assertNull(new ObjectMapper().readTree(r.body()).get("swarming_task_id").textValue(), "no header, no id");
    }

    private static boolean said(ListAppender<ILoggingEvent> lines, String text) {
        synchronized (lines) {
            return lines.list.stream().anyMatch(e -> e.getFormattedMessage().contains(text));
        }
    }
}
