package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.ServerTest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The caching service's /download/BUCKET/OBJECT: pull-through as a durable job, ranges, hashes and errors. */
@Tag("integration")
class ObjectDownloadTest extends ServerTest {
    static final String BUCKET = "bkt";
    static final String DIR = "board-release/R1-1.0.0";
    static final int MB = 1 << 20;

    private HttpResponse<byte[]> send(String method, String path, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (range != null) {
            b.header("Range", range);
        }
        return server.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String crc32cBase64(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /**
     * A miss asks the store once for the object's metadata and hands it to the job, which pins
     * that generation; neither lists the object's directory. A retry asks afresh.
     */
    @Test
    void aMissAsksForTheMetadataOnceAndListsNothing() throws Exception {
        gcs.put(BUCKET, DIR + "/one.bin", random(MB, 31));
        int before = gcs.metadataRequests(); // the server's warm-up of its GCS client at start
        HttpResponse<byte[]> r = send("GET", "/download/" + BUCKET + "/" + DIR + "/one.bin", null);
        assertEquals(200, r.statusCode());
        assertArrayEquals(random(MB, 31), r.body());
        assertEquals(before + 1, gcs.metadataRequests(), "the request's stat, handed to the job");
        assertEquals(0, gcs.listRequests(), "no listing of the build for one named object");

        gcs.put(BUCKET, DIR + "/two.bin", random(MB, 32));
        gcs.faults(BUCKET, DIR + "/two.bin").corrupt.set(1); // the first attempt fails its checksum: the retry stats afresh
        try {
            send("GET", "/download/" + BUCKET + "/" + DIR + "/two.bin", null);
        } catch (java.io.IOException cut) {
            // the reader of the failed attempt is cut; the retry installs it
        }
        dev.stagehand.testing.Eventually.await(Duration.ofSeconds(20), "the retry to install it",
                () -> server.jobs("SUCCEEDED", "gs://" + BUCKET + "/" + DIR).size() == 2);
        assertArrayEquals(random(MB, 32), send("GET", "/download/" + BUCKET + "/" + DIR + "/two.bin", null).body());
        assertEquals(before + 3, gcs.metadataRequests());
    }

    @Test
    void aColdGetIsADurableJobThatStreamsAndLaterGetsAreHits() throws Exception {
        byte[] bytes = random(6 * MB, 1);
        gcs.put(BUCKET, DIR + "/image.bin", bytes);
        gcs.throttlePerConnection(3L * MB);
        String path = "/download/" + BUCKET + "/" + DIR + "/image.bin";
        long started = System.nanoTime();
        HttpResponse<InputStream> cold = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertTrue((System.nanoTime() - started) / 1_000_000 < 1500, "headers came before the object landed");
        assertEquals(200, cold.statusCode());
        assertEquals(Long.toString(bytes.length), cold.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("bytes", cold.headers().firstValue("Accept-Ranges").orElseThrow());
        assertEquals(crc32cBase64(bytes), cold.headers().firstValue("Content-Hash-CRC32C").orElseThrow());
        try (InputStream in = cold.body()) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
        var jobs = server.jobs(null, "gs://" + BUCKET + "/" + DIR);
        assertEquals(1, jobs.size(), "one durable job in the ledger");
        assertEquals("file:image.bin", jobs.get(0).artifact());
        Eventually.await(Duration.ofSeconds(10), "the job to succeed", () -> server.jobs("SUCCEEDED", "gs://" + BUCKET + "/" + DIR).size() == 1);

        HttpResponse<byte[]> hit = send("GET", path, null);
        assertEquals(200, hit.statusCode());
        assertArrayEquals(bytes, hit.body());
        assertEquals(crc32cBase64(bytes), hit.headers().firstValue("Content-Hash-CRC32C").orElseThrow(), "kept with the file");
        assertEquals(bytes.length, gcs.bytesServed(BUCKET, DIR + "/image.bin"), "the hit read nothing from the store");
        assertEquals("True", server.get("/is_staged?archive_url=gs://" + BUCKET + "/" + DIR + "&files=image.bin").body(),
                "a pulled-through object counts for is_staged");
        String metrics = server.get("/metrics").body();
        assertTrue(metrics.contains("stagehand_cache_requests_total{result=\"miss\",rpc=\"download\"} 1.0"), metrics);
        assertTrue(metrics.contains("stagehand_cache_requests_total{result=\"hit\",rpc=\"download\"} 1.0"), metrics);
        assertTrue(metrics.contains("stagehand_http_bytes_served_bytes_total{rpc=\"download\"} " + (2.0 * bytes.length)), metrics);
    }

    @Test
    void headAnswersTheLengthColdAndWarmWithoutABody() throws Exception {
        byte[] bytes = random(MB, 2);
        gcs.put(BUCKET, DIR + "/a.bin", bytes);
        String path = "/download/" + BUCKET + "/" + DIR + "/a.bin";
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> head = send("HEAD", path, null);
            assertEquals(200, head.statusCode());
            assertEquals(Long.toString(bytes.length), head.headers().firstValue("Content-Length").orElseThrow());
            assertEquals(crc32cBase64(bytes), head.headers().firstValue("Content-Hash-CRC32C").orElseThrow());
            assertEquals(0, head.body().length);
            Eventually.await(Duration.ofSeconds(10), "the file to be installed", () -> Files.exists(server.build(DIR).resolve("a.bin")));
        }
    }

    /** Each form of Range, while the object lands (first GET) and once it is installed (second). */
    @ParameterizedTest
    @CsvSource({"bytes=1000-1999, 1000, 2000", "bytes=2000000-, 2000000, 3145728", "bytes=-100, 3145628, 3145728"})
    void rangesAnswer206WithContentRange(String range, int from, int to) throws Exception {
        byte[] bytes = random(3 * MB, 3);
        gcs.put(BUCKET, DIR + "/r.bin", bytes);
        gcs.throttlePerConnection(2L * MB);
        String path = "/download/" + BUCKET + "/" + DIR + "/r.bin";
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> r = send("GET", path, range);
            assertEquals(206, r.statusCode());
            assertEquals("bytes " + from + "-" + (to - 1) + "/" + bytes.length, r.headers().firstValue("Content-Range").orElseThrow());
            assertArrayEquals(Arrays.copyOfRange(bytes, from, to), r.body());
            Eventually.await(Duration.ofSeconds(20), "the file to be installed", () -> Files.exists(server.build(DIR).resolve("r.bin")));
        }
        assertEquals(416, send("GET", path, "bytes=" + bytes.length + "-").statusCode());
    }

    @Test
    void aRangeFarAheadOfTheLandedBytesIsReadFromTheStoreWithoutWaiting() throws Exception {
        byte[] bytes = random(16 * MB, 6);
        gcs.put(BUCKET, DIR + "/far.bin", bytes);
        gcs.throttlePerConnection(2L * MB);
        String path = "/download/" + BUCKET + "/" + DIR + "/far.bin";
        var whole = server.http.sendAsync(HttpRequest.newBuilder(URI.create(server.base() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        long started = System.nanoTime();
        HttpResponse<byte[]> far = send("GET", path, "bytes=14000000-14099999");
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertEquals(206, far.statusCode());
        assertArrayEquals(Arrays.copyOfRange(bytes, 14_000_000, 14_100_000), far.body());
        assertFalse(Files.exists(server.build(DIR).resolve("far.bin")), "answered while the object was still landing");
        assertTrue(ms < 5000, "did not wait for the 14 MB before it: " + ms + " ms");
        assertTrue(gcs.rangeStarts(BUCKET, DIR + "/far.bin").contains(14_000_000L), "a ranged read of the store");
        assertArrayEquals(bytes, whole.get().body(), "the whole object kept landing");
    }

    @Test
    void fiftyConcurrentColdGetsJoinOneJobAndReadTheStoreAboutOnce() throws Exception {
        byte[] bytes = random(8 * MB, 4);
        gcs.put(BUCKET, DIR + "/herd.bin", bytes);
        gcs.throttlePerConnection(8L * MB);
        String path = "/download/" + BUCKET + "/" + DIR + "/herd.bin";
        int statsBefore = gcs.metadataRequests();
        List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(server.http.sendAsync(HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (var f : all) {
            HttpResponse<byte[]> r = f.get();
            assertEquals(200, r.statusCode());
            assertArrayEquals(bytes, r.body());
        }
        assertEquals(1, server.jobs(null, "gs://" + BUCKET + "/" + DIR).size(), "one job for fifty callers");
        long read = gcs.bytesServed(BUCKET, DIR + "/herd.bin");
        assertTrue(read <= bytes.length * 1.1, "the store was read about once: " + read + " bytes for " + bytes.length);
        int stats = gcs.metadataRequests() - statsBefore;
        // Misses at the same moment share one metadata read; each read takes milliseconds, so fifty
        // callers spread over a fraction of a second make a few, never one each.
        assertTrue(stats <= 25, "concurrent misses share their metadata reads: " + stats + " for 50 callers");
        String metrics = server.get("/metrics").body();
        assertTrue(metrics.contains("stagehand_cache_requests_total{result=\"miss\",rpc=\"download\"} 1.0"), "one created the job: " + metrics);
        assertTrue(metrics.contains("stagehand_cache_requests_total{result=\"joined\",rpc=\"download\"}"), "the others joined it");
    }

    @Test
    void anObjectStagedByStageIsServedWithoutASecondFetch() throws Exception {
        byte[] bytes = random(2 * MB, 5);
        gcs.put(BUCKET, DIR + "/payload.bin", bytes);
        assertEquals("Success", server.get("/stage?archive_url=gs://" + BUCKET + "/" + DIR + "&files=payload.bin").body());
        HttpResponse<byte[]> r = send("GET", "/download/" + BUCKET + "/" + DIR + "/payload.bin", null);
        assertEquals(200, r.statusCode());
        assertArrayEquals(bytes, r.body());
        assertEquals(crc32cBase64(bytes), r.headers().firstValue("Content-Hash-CRC32C").orElseThrow());
        assertEquals(bytes.length, gcs.bytesServed(BUCKET, DIR + "/payload.bin"), "fetched once, by /stage");
    }

    /**
     * Names a dispatcher could misread (';' as a path parameter, spaces, '#', '?', '%' and what
     * looks like an encoding after it): the right bytes, cold and warm.
     */
    @Test
    void namesWithCharactersAUriGivesMeaningToAreServed() throws Exception {
        for (String name : List.of("a;b.bin", "c d e.bin", "f#g?h.bin", "100%.bin", "%2e%2e", "x%2fy.bin")) {
            byte[] bytes = random(100_000, name.hashCode());
            gcs.put(BUCKET, DIR + "/" + name, bytes);
            String encoded = java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> r = send("GET", "/download/" + BUCKET + "/" + DIR + "/" + encoded, null);
                assertEquals(200, r.statusCode(), name + ": " + new String(r.body()));
                assertArrayEquals(bytes, r.body(), name);
            }
        }
    }

    /** A caller's mistakes and missing objects: one plain line each, and nothing queued. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET  | /download/bkt/board-release/R1-1.0.0/missing.bin | 404",
        "GET  | /download/nosuchbucket/board-release/R1/x.bin   | 404",
        "GET  | /download/bkt/top.bin                            | 400",
        "GET  | /download/bkt/a/../../etc/passwd                 | 400",
        "GET  | /download/bkt/a/%2e%2e/x                         | 400",
        "GET  | /download/bkt/a/.stagehand/markers/x             | 400",
        "GET  | /download/Bad_Bucket!/a/x                        | 400",
        "GET  | /download/bkt                                    | 400",
        "POST | /download/bkt/a/x                                | 405",
    })
    void mistakesAreOnePlainLineAndQueueNothing(String method, String path, int status) throws Exception {
        HttpResponse<byte[]> r = send(method, path, null);
        assertEquals(status, r.statusCode(), new String(r.body()));
        String body = new String(r.body());
        assertFalse(body.contains("\n") && body.indexOf('\n') < body.length() - 1, "one line: " + body);
        assertFalse(body.contains("Exception") || body.contains("at dev."), body);
        assertTrue(server.jobs(null, null).isEmpty(), "nothing queued");
    }
}
