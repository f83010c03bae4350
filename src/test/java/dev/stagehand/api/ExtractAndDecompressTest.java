package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.db.schema.Tables;
import dev.stagehand.testing.ServerTest;
import dev.stagehand.testing.TestArchives;
import dev.stagehand.testing.TestArchives.Compression;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The caching service's /extract and /decompress: each format, durable jobs, hits from disk, and hostile names. */
@Tag("integration")
class ExtractAndDecompressTest extends ServerTest {
    static final String BUCKET = "bkt";
    static final String DIR = "board-release/R2-1.0.0";
    static final String URL = "gs://" + BUCKET + "/" + DIR;

    private HttpResponse<byte[]> get(String path) throws Exception {
        return server.http.send(HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @ParameterizedTest
    @CsvSource({"NONE, autotest.tar", "GZIP, autotest.tar.gz", "GZIP, autotest.tgz", "BZIP2, autotest.tar.bz2", "XZ, autotest.tar.xz"})
    void aMemberOfEachTarFormatIsExtractedOnceAndThenServedFromDisk(Compression compression, String archive) throws Exception {
        byte[] wanted = random(300_000, 7);
        gcs.put(BUCKET, DIR + "/" + archive, TestArchives.tar().file("a/other.bin", random(100_000, 8))
                .file("a/b/wanted.bin", wanted).build(compression));
        String path = "/extract/" + BUCKET + "/" + DIR + "/" + archive + "?file=a/b/wanted.bin";
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> r = get(path);
            assertEquals(200, r.statusCode(), new String(r.body()));
            assertArrayEquals(wanted, r.body());
        }
        assertEquals(1, server.jobs(null, URL).size(), "one durable job");
        assertEquals("extract:" + archive + "//a/b/wanted.bin", server.jobs(null, URL).get(0).artifact());
        assertTrue(Files.exists(server.build(DIR).resolve("_extract/" + archive + "/a/b/wanted.bin")));
        assertFalse(Files.exists(server.build(DIR).resolve("_extract/" + archive + "/a/other.bin")), "only the member");
        assertTrue(server.get("/metrics").body().contains("stagehand_cache_requests_total{result=\"hit\",rpc=\"extract\"} 1.0"));
    }

    @Test
    void membersOfAPlainTarAreReadByRangeOnceItsIndexIsKept() throws Exception {
        TestArchives.Tar tar = TestArchives.tar();
        for (int i = 0; i < 16; i++) {
            tar.file("m/" + i + ".bin", random(1 << 20, 100 + i));
        }
        byte[] archive = tar.build(Compression.NONE);
        gcs.put(BUCKET, DIR + "/big.tar", archive);
        String object = DIR + "/big.tar";
        HttpResponse<byte[]> first = get("/extract/" + BUCKET + "/" + object + "?file=m/3.bin");
        assertEquals(200, first.statusCode());
        assertArrayEquals(random(1 << 20, 103), first.body());
        long afterFirst = gcs.bytesServed(BUCKET, object);
        assertTrue(afterFirst < archive.length / 2, "headers and one member, not the tar: " + afterFirst + " of " + archive.length);
        HttpResponse<byte[]> second = get("/extract/" + BUCKET + "/" + object + "?file=m/12.bin");
        assertEquals(200, second.statusCode());
        assertArrayEquals(random(1 << 20, 112), second.body());
        long read = gcs.bytesServed(BUCKET, object) - afterFirst;
        assertTrue(read <= 1.1 * (1 << 20), "with the index recorded, only the member: " + read + " bytes");
        var db = server.stagehand.database().dsl();
        assertEquals(16, db.select(Tables.ARCHIVE_INDEX.MEMBERS).from(Tables.ARCHIVE_INDEX).fetchSingle().value1(), "the index is in the ledger");
        assertEquals(404, get("/extract/" + BUCKET + "/" + object + "?file=m/99.bin").statusCode());
        assertEquals(2, server.jobs(null, URL).size(), "a name the index lacks is a 404 with no job");
    }

    /**
     * A compressed tar is fetched whole once, by the first extract, and kept in the build for its
     * generation; its members come from that copy, and a name its index lacks is a 404 with no job.
     */
    @ParameterizedTest
    @CsvSource({"GZIP, tests.tar.gz", "BZIP2, tests.tar.bz2", "XZ, tests.tar.xz"})
    void aCompressedTarIsFetchedOnceAndItsMembersComeFromTheCopy(Compression compression, String name) throws Exception {
        byte[] archive = TestArchives.tar().file("a.bin", random(200_000, 21)).file("dir/b.bin", random(300_000, 22))
                .file("twice", "old").file("twice", "newer").build(compression);
        gcs.put(BUCKET, DIR + "/" + name, archive);
        String extract = "/extract/" + BUCKET + "/" + DIR + "/" + name + "?file=";
        HttpResponse<byte[]> a = get(extract + "a.bin");
        assertEquals(200, a.statusCode(), new String(a.body()));
        assertArrayEquals(random(200_000, 21), a.body());
        assertEquals(archive.length, gcs.bytesServed(BUCKET, DIR + "/" + name), "the archive, once");

        assertArrayEquals(random(300_000, 22), get(extract + "dir/b.bin").body());
        assertEquals("newer", new String(get(extract + "twice").body()), "the later member of a name, as an unpacking leaves it");
        assertEquals(archive.length, gcs.bytesServed(BUCKET, DIR + "/" + name), "later members: no second fetch");
        try (java.util.stream.Stream<java.nio.file.Path> kept = Files.list(server.build(DIR).resolve("_extract"))) {
            assertEquals(List.of(name + "@"), kept.map(p -> p.getFileName().toString()).filter(f -> f.contains("@"))
                    .map(f -> f.substring(0, f.indexOf('@') + 1)).toList(), "one copy, named for its generation");
        }

        HttpResponse<byte[]> missing = get(extract + "absent.bin");
        assertEquals(404, missing.statusCode());
        assertEquals("the archive has no member 'absent.bin'", new String(missing.body()).trim());
        assertEquals(3, server.jobs(null, URL).size(), "three members, no job for the missing name");
    }

    /** Indexing reads every header: the archive's member limit holds for it, as for an unpacking. */
    @Test
    void anArchiveWithTooManyMembersIsRefusedWhenIndexed() throws Exception {
        server.close();
        server = dev.stagehand.testing.Server.start(dev.stagehand.testing.Server.settings(dir, gcs)
                .withArchive(new dev.stagehand.staging.ArchiveLimits(50, 0, 1L << 30)));
        gcs.put(BUCKET, DIR + "/many.tar.gz", TestArchives.tar().file("first", "x").emptyFiles("e", 100).build(Compression.GZIP));
        HttpResponse<byte[]> r = get("/extract/" + BUCKET + "/" + DIR + "/many.tar.gz?file=first");
        // Its first entry was landing, its one byte held back, when the scan came to the limit: one plain line, never the byte.
        assertEquals(503, r.statusCode(), new String(r.body()));
        assertEquals("its job failed before the file was whole; ask again", new String(r.body()).trim());
        dev.stagehand.testing.Eventually.await(Duration.ofSeconds(10), "the job to fail", () -> server.jobs("FAILED", URL).size() == 1);
        String error = server.jobs("FAILED", URL).get(0).lastError();
        assertTrue(error.contains("more than 50 members"), error);
    }

    /** A zip's symlink entry is not a member: never its target's text served as a file. */
    @Test
    void aZipSymlinkIsNotAMember() throws Exception {
        gcs.put(BUCKET, DIR + "/links.zip", TestArchives.zipSymlink("lnk", "/etc/passwd"));
        assertEquals(404, get("/extract/" + BUCKET + "/" + DIR + "/links.zip?file=lnk").statusCode());
        assertFalse(Files.exists(server.build(DIR).resolve("_extract/links.zip/lnk")));
    }

    @Test
    void aZipMemberIsExtractedByRangedReads() throws Exception {
        byte[] wanted = random(200_000, 9);
        byte[] zip = TestArchives.zip(Map.of("big.bin", random(3_000_000, 10), "small.bin", wanted));
        gcs.put(BUCKET, DIR + "/image.zip", zip);
        HttpResponse<byte[]> r = get("/extract/" + BUCKET + "/" + DIR + "/image.zip?file=small.bin");
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertArrayEquals(wanted, r.body());
        long read = gcs.bytesServed(BUCKET, DIR + "/image.zip");
        assertTrue(read < zip.length / 2, "read the directory and the member, not the whole zip: " + read + " of " + zip.length);
        dev.stagehand.testing.Eventually.await(Duration.ofSeconds(10), "the job to end", () -> server.jobs("SUCCEEDED", URL).size() == 1);
        assertEquals(Long.valueOf(wanted.length), server.jobs(null, URL).get(0).bytesTotal(), "a zip member's progress has its total");
        assertEquals(404, get("/extract/" + BUCKET + "/" + DIR + "/image.zip?file=absent.bin").statusCode());
        assertEquals(1, server.jobs(null, URL).size(), "the zip's index, recorded by the first extract, answers a missing name");
    }

    @Test
    void aMissingMemberIsA404Line() throws Exception {
        gcs.put(BUCKET, DIR + "/x.tar", TestArchives.tar().file("present", "p").build(Compression.NONE));
        HttpResponse<byte[]> r = get("/extract/" + BUCKET + "/" + DIR + "/x.tar?file=absent");
        assertEquals(404, r.statusCode());
        assertFalse(new String(r.body()).trim().contains("\n"));
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "BZIP2", "XZ"})
    void aCompressedObjectIsDecompressedOnceAndThenServedFromDisk(Compression compression) throws Exception {
        byte[] plain = random(500_000, 11);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = TestArchives.compress(bytes, compression)) {
            out.write(plain);
        }
        String name = "payload.bin." + Map.of(Compression.GZIP, "gz", Compression.BZIP2, "bz2", Compression.XZ, "xz").get(compression);
        gcs.put(BUCKET, DIR + "/" + name, bytes.toByteArray());
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> r = get("/decompress/" + BUCKET + "/" + DIR + "/" + name);
            assertEquals(200, r.statusCode(), new String(r.body()));
            assertArrayEquals(plain, r.body());
        }
        assertEquals(1, server.jobs(null, URL).size(), "one durable job");
        assertEquals(bytes.size(), gcs.bytesServed(BUCKET, DIR + "/" + name), "fetched once");
    }

    private static byte[] gzip(byte[] plain) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = TestArchives.compress(bytes, Compression.GZIP)) {
            out.write(plain);
        }
        return bytes.toByteArray();
    }

    /** A cold /decompress streams the bytes as they are decompressed (no length yet), ended only by the install. */
    @Test
    void aColdDecompressStreamsWhileItLands() throws Exception {
        byte[] plain = random(6 << 20, 12); // random bytes: gzip keeps them about as large
        gcs.put(BUCKET, DIR + "/big.bin.gz", gzip(plain));
        gcs.throttlePerConnection(2L << 20);
        HttpResponse<java.io.InputStream> r = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/decompress/"
                + BUCKET + "/" + DIR + "/big.bin.gz")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Length").isEmpty(), "its length is not known yet");
        try (java.io.InputStream body = r.body()) {
            byte[] first = body.readNBytes(1 << 20);
            assertEquals(1, server.jobs("RUNNING", URL).size(), "the first megabyte came while the job was still decompressing");
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(first);
            body.transferTo(all);
            assertArrayEquals(plain, all.toByteArray());
        }
        HttpResponse<byte[]> head = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/decompress/" + BUCKET + "/" + DIR
                + "/big.bin.gz")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(String.valueOf(plain.length), head.headers().firstValue("Content-Length").orElse(""), "a hit has its length");
    }

    /**
     * A client whose body could not be chunked (HTTP/1.0, or Connection: close, where the end of
     * the body is the end of the connection) waits for the install and gets the length: a cut
     * could not pass for the end.
     */
    @ParameterizedTest
    @CsvSource({"HTTP/1.1, close", "HTTP/1.0, ''"})
    void aReaderWhoseBodyCannotBeChunkedWaitsForTheLength(String protocol, String connection) throws Exception {
        byte[] plain = random(1 << 20, 14);
        String name = "unchunked-" + protocol.replace('/', '_') + ".bin.gz";
        gcs.put(BUCKET, DIR + "/" + name, gzip(plain));
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", java.net.URI.create(server.base()).getPort())) {
            socket.getOutputStream().write(("GET /decompress/" + BUCKET + "/" + DIR + "/" + name + " " + protocol + "\r\nHost: x\r\n"
                    + (connection.isEmpty() ? "" : "Connection: " + connection + "\r\n") + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            String head = response.substring(0, response.indexOf("\r\n\r\n"));
            assertTrue(head.startsWith("HTTP/1.1 200"), head); // Jetty answers in its own version
            assertTrue(head.contains("Content-Length: " + plain.length), head);
        }
    }

    /** A decompression that is never installed (its job cancelled mid-way): its reader is cut, never ended cleanly. */
    @Test
    void aDecompressionNeverInstalledCutsItsReaders() throws Exception {
        byte[] plain = random(4 << 20, 13);
        gcs.put(BUCKET, DIR + "/bad.bin.gz", gzip(plain));
        gcs.faults(BUCKET, DIR + "/bad.bin.gz").holdAt = 2 << 20;
        HttpResponse<java.io.InputStream> cut = server.http.send(HttpRequest.newBuilder(URI.create(server.base()
                + "/decompress/" + BUCKET + "/" + DIR + "/bad.bin.gz")).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream body = cut.body()) {
            assertEquals(1 << 20, body.readNBytes(1 << 20).length);
            assertTrue(server.stagehand.queue().cancel(server.jobs("RUNNING", URL).get(0).id()));
            gcs.faults(BUCKET, DIR + "/bad.bin.gz").holdAt = -1;
            assertThrows(java.io.IOException.class, () -> body.transferTo(OutputStream.nullOutputStream()), "cut, not ended");
        }
        assertFalse(Files.exists(server.build(DIR).resolve("_decompress/bad.bin.gz")), "nothing installed");
    }

    /** Names a caller or an archive could use to reach elsewhere, and formats that cannot be served: one line, nothing queued. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/extract/bkt/d/x.tar?file=../../etc/passwd | 400",
        "/extract/bkt/d/x.tar?file=/etc/passwd      | 400",
        "/extract/bkt/d/x.tar?file=a//b             | 400",
        "/extract/bkt/d/x.tar                       | 400",
        "/extract/bkt/d/x.txt?file=a                | 400",
        "/decompress/bkt/d/x.txt                    | 400",
        "/decompress/bkt/d/missing.gz               | 404",
    })
    void hostileOrImpossibleRequestsQueueNothing(String path, int status) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertEquals(status, r.statusCode(), new String(r.body()));
        assertTrue(server.jobs(null, null).isEmpty(), "nothing queued");
    }

    /** Only the member is written, never the link before it in the archive: a member "under" a link lands inside the build. */
    @Test
    void aMemberBehindALinkInTheArchiveStaysInsideTheBuild() throws Exception {
        gcs.put(BUCKET, DIR + "/evil.tar", TestArchives.tar().symlink("lnk", "/tmp").file("lnk/pwned", "x").build(Compression.NONE));
        HttpResponse<byte[]> r = get("/extract/" + BUCKET + "/" + DIR + "/evil.tar?file=lnk/pwned");
        assertEquals(200, r.statusCode());
        assertEquals("x", new String(r.body()));
        assertFalse(Files.isSymbolicLink(server.build(DIR).resolve("_extract/evil.tar/lnk")), "the archive's link was not made");
        assertTrue(Files.isRegularFile(server.build(DIR).resolve("_extract/evil.tar/lnk/pwned")));
        assertFalse(Files.exists(java.nio.file.Path.of("/tmp/pwned")), "nothing written through the link");
    }
}
