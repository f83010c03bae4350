package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.ServerTest;
import dev.stagehand.testing.TestArchives;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** /static serves a file while its job is still landing it: at once, in order, and never short or wrong. */
@Tag("integration")
class StageAndServeTest extends ServerTest {
    static final String BUCKET = "bkt";
    static final String PATH = "target/R1-1.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;
    static final int MB = 1 << 20;

    private HttpResponse<InputStream> open(String path, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path));
        if (range != null) {
            b.header("Range", range);
        }
        return server.http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void aFileLandingIsServedAtOnceAndEndsWhenItIsInstalled() throws Exception {
        byte[] bytes = random(6 * MB, 1);
        gcs.put(BUCKET, PATH + "/stateful.tgz", bytes);
        gcs.throttlePerConnection(2L * MB);
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
        long started = System.nanoTime();
        HttpResponse<InputStream> r = open("/static/" + PATH + "/stateful.tgz", null);
        long headersMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(200, r.statusCode());
        assertEquals(Long.toString(bytes.length), r.headers().firstValue("Content-Length").orElseThrow());
        assertTrue(headersMs < 1000, "answered before the download ended: " + headersMs + " ms");
        try (InputStream in = r.body()) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
        assertTrue(java.nio.file.Files.exists(server.build(PATH).resolve("stateful.tgz")), "ended once installed");
        assertEquals(bytes.length, gcs.bytesServed(BUCKET, PATH + "/stateful.tgz"), "the reader cost no download");
    }

    @Test
    void aRangeOfALandingFileWaitsForItsBytes() throws Exception {
        byte[] bytes = random(4 * MB, 2);
        gcs.put(BUCKET, PATH + "/stateful.tgz", bytes);
        gcs.throttlePerConnection(2L * MB);
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
        HttpResponse<InputStream> r = open("/static/" + PATH + "/stateful.tgz", "bytes=3000000-3000099");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 3000000-3000099/" + bytes.length, r.headers().firstValue("Content-Range").orElseThrow());
        try (InputStream in = r.body()) {
            assertArrayEquals(Arrays.copyOfRange(bytes, 3_000_000, 3_000_100), in.readAllBytes());
        }
    }

    @Test
    void whenTheJobFailsTheResponseIsAbortedNeverEndedCleanly() throws Exception {
        gcs.put(BUCKET, PATH + "/stateful.tgz", random(3 * MB, 3));
        gcs.faults(BUCKET, PATH + "/stateful.tgz").corrupt.set(100); // every attempt gets a flipped byte
        gcs.throttlePerConnection(4L * MB);
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
        HttpResponse<InputStream> r = open("/static/" + PATH + "/stateful.tgz", null);
        assertEquals(200, r.statusCode());
        assertThrows(IOException.class, () -> {
            try (InputStream in = r.body()) {
                in.readAllBytes();
            }
        }, "the checksum failed: the device must see a broken transfer, not a complete file");
    }

    @Test
    void aFileNoJobWillProduceIs404AtOnceWhileTheBuildStages() throws Exception {
        gcs.put(BUCKET, PATH + "/stateful.tgz", random(4 * MB, 4));
        gcs.throttlePerConnection(MB);
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
        long started = System.nanoTime();
        var missing = server.get("/static/" + PATH + "/update.gz");
        assertEquals(404, missing.statusCode());
        assertTrue((System.nanoTime() - started) / 1_000_000 < 1000, "at once");
        server.stagehand.queue().cancel(server.jobs(null, URL).get(0).id());
    }

    @Test
    void aThousandReadersOfOneLandingFileCostOneDownload() throws Exception {
        byte[] bytes = random(256 * 1024, 5);
        gcs.put(BUCKET, PATH + "/stateful.tgz", bytes);
        gcs.throttlePerConnection(256 * 1024);
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
        HttpClient client = HttpClient.newBuilder().executor(java.util.concurrent.Executors.newFixedThreadPool(8)).build();
        List<CompletableFuture<HttpResponse<byte[]>>> readers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            readers.add(client.sendAsync(HttpRequest.newBuilder(URI.create(server.base() + "/static/" + PATH + "/stateful.tgz")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (var reader : readers) {
            HttpResponse<byte[]> r = reader.get(120, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), new String(r.body()));
            assertArrayEquals(bytes, r.body());
        }
        assertEquals(bytes.length, gcs.bytesServed(BUCKET, PATH + "/stateful.tgz"), "one download for a thousand readers");
        assertEquals(1, server.jobs(null, URL).size());
    }

    @Test
    void anImageLandingFromAZipIsServedWhileItInflates() throws Exception {
        byte[] image = random(4 * MB, 6);
        gcs.put(BUCKET, PATH + "/image.zip", TestArchives.zip(Map.of("chromiumos_test_image.bin", image)));
        gcs.throttlePerConnection(2L * MB);
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=test_image&async=True").body());
        HttpResponse<InputStream> r = open("/static/" + PATH + "/chromiumos_test_image.bin", null);
        assertEquals(200, r.statusCode());
        try (InputStream in = r.body()) {
            assertArrayEquals(image, in.readAllBytes());
        }
    }
}
