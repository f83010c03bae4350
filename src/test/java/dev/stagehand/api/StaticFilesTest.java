package dev.stagehand.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.MutableClock;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestArchives;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /static: ranges, HEAD, validators, and no way out of the static dir. */
@Tag("integration")
class StaticFilesTest {
    @TempDir Path dir;
    Server server;
    final MutableClock clock = new MutableClock();
    byte[] payload = TestArchives.random(100_000, 42);

    @BeforeEach
    void start() throws Exception {
        Path build = dir.resolve("archive/board-release/R1-1.0.0");
        Files.createDirectories(build);
        Files.write(build.resolve("chromeos_R1-1.0.0_board_full_dev.bin"), payload);
        Files.writeString(dir.resolve("secret.txt"), "secret");
        server = Server.start(Server.settings(dir, (String) null), clock);
        assertEquals("Success", server.get("/stage?archive_url=file://" + build + "&artifacts=full_payload").body());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<byte[]> fetch(String path, String range, String method) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (range != null) {
            b.header("Range", range);
        }
        return server.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesTheWholeFileWithLengthAndValidators() throws Exception {
        var r = fetch("/static/board-release/R1-1.0.0/update.gz", null, "GET");
        assertEquals(200, r.statusCode());
        assertArrayEquals(payload, r.body());
        assertEquals("100000", r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElseThrow());
        assertTrue(r.headers().firstValue("ETag").isPresent());
        assertTrue(r.headers().firstValue("Last-Modified").isPresent());
    }

    @Test
    void answersSingleAndSuffixRangesAnd416() throws Exception {
        var r = fetch("/static/board-release/R1-1.0.0/update.gz", "bytes=10-19", "GET");
        assertEquals(206, r.statusCode());
        assertArrayEquals(Arrays.copyOfRange(payload, 10, 20), r.body());
        assertEquals("bytes 10-19/100000", r.headers().firstValue("Content-Range").orElseThrow());
        var suffix = fetch("/static/board-release/R1-1.0.0/update.gz", "bytes=-26", "GET");
        assertEquals(206, suffix.statusCode());
        assertArrayEquals(Arrays.copyOfRange(payload, 100_000 - 26, 100_000), suffix.body());
        assertEquals(416, fetch("/static/board-release/R1-1.0.0/update.gz", "bytes=200000-", "GET").statusCode());
    }

    @Test
    void headSendsHeadersOnly() throws Exception {
        var r = fetch("/static/board-release/R1-1.0.0/update.gz", null, "HEAD");
        assertEquals(200, r.statusCode());
        assertEquals("100000", r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(0, r.body().length);
    }

    @Test
    void traversalAttemptsAreAll404() throws Exception {
        Files.createSymbolicLink(server.build("board-release/R1-1.0.0").resolve("escape"), dir.resolve("secret.txt"));
        for (String path : new String[] {
                "/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/%252e%252e/secret.txt",
                "/static/board-release/R1-1.0.0/../../../secret.txt", "/static/board-release/R1-1.0.0/escape",
                "/static/.stagehand/markers/1/full_payload.files", "/static/board-release/..%2f..%2f..%2fsecret.txt"}) {
            String response = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            String status = response.lines().findFirst().orElse("");
            assertTrue(status.contains(" 404") || status.contains(" 400"), path + " -> " + status);
            assertTrue(!response.contains("secret") || response.contains("secret.txt"), path + " leaked the file");
        }
    }

    @Test
    void readingAFileRefreshesTheBuildsLastAccess() throws Exception {
        var db = server.stagehand.database().dsl();
        var build = dev.stagehand.db.schema.Tables.BUILD;
        db.update(build).set(build.LAST_ACCESS_AT, Instant.parse("2020-01-01T00:00:00Z")).execute();
        clock.advance(Duration.ofMinutes(2)); // past the once-a-minute throttle of the stage call's own touch
        assertEquals(200, fetch("/static/board-release/R1-1.0.0/update.gz", null, "GET").statusCode());
        assertEquals(Instant.parse("2020-01-01T00:00:00Z"), db.select(build.LAST_ACCESS_AT).from(build).fetchOne(build.LAST_ACCESS_AT),
                "a read is no database write on the request's path");
        server.close(); // written in the background, and at the latest when the server stops
        try (var reopened = dev.stagehand.testing.TestDb.open(dir)) {
            Instant after = reopened.dsl().select(build.LAST_ACCESS_AT).from(build).fetchOne(build.LAST_ACCESS_AT);
            assertTrue(after.isAfter(Instant.parse("2021-01-01T00:00:00Z")), "last access refreshed: " + after);
        }
    }

    private String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.stagehand.port())) {
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
