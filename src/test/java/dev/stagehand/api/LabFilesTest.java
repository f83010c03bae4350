package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.db.schema.Tables;
import dev.stagehand.testing.ServerTest;
import dev.stagehand.testing.TestArchives.Compression;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** locate_file and setup_telemetry, as autotest's client and telemetry runner call them. */
@Tag("integration")
class LabFilesTest extends ServerTest {
    static final String BUCKET = "bkt";
    static final String PATH = "eve-release/R78-12499.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;

    private void uploadPackages(byte[] telemetryDep) throws Exception {
        var packages = tar().file("client-autotest.tar.bz2", "client").file("packages.checksum", "sums");
        if (telemetryDep != null) {
            packages.file("dep-telemetry_dep.tar.bz2", telemetryDep)
                    .file("dep-page_cycler_dep.tar.bz2", tar().file("test_src/data/page_cycler/x.html", "<html>").build(Compression.BZIP2));
        }
        gcs.put(BUCKET, PATH + "/autotest_packages.tar", packages.build(Compression.NONE));
    }

    @Test
    void locateFileFindsWhatAnArtifactInstalled() throws Exception {
        uploadPackages(null);
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=autotest_packages").body());
        var found = server.get("/locate_file?file_name=client-autotest.tar.bz2&artifacts=autotest_packages&build=" + PATH);
        assertEquals(200, found.statusCode(), found.body());
        assertEquals("autotest/packages/client-autotest.tar.bz2", found.body());
        assertEquals(200, server.get("/static/" + PATH + "/" + found.body()).statusCode(), "the client downloads it from there");
        String[][] bad = {
                {"/locate_file?file_name=nothing.bin&artifacts=autotest_packages&build=" + PATH, "404", "no file 'nothing.bin'"},
                {"/locate_file?file_name=client-autotest.tar.bz2&artifacts=stateful&build=" + PATH, "404", "staged by 'stateful'"},
                {"/locate_file?artifacts=autotest_packages&build=" + PATH, "400", "missing parameter file_name"},
                {"/locate_file?file_name=x&artifacts=nonsense&build=" + PATH, "400", "unknown artifact"},
                {"/locate_file?file_name=x&artifacts=autotest_packages&build=../../etc", "400", "relative path"}};
        for (String[] c : bad) {
            var r = server.get(c[0]);
            assertEquals(Integer.parseInt(c[1]), r.statusCode(), c[0] + " -> " + r.body());
            assertTrue(r.body().contains(c[2]) && !r.body().contains("\n"), c[0] + " -> " + r.body());
        }
    }

    @Test
    void setupTelemetryStagesThePackagesAndUnpacksTheSourcesOnceForEveryCaller() throws Exception {
        uploadPackages(tar().file("test_src/tools/perf/run_benchmark", "#!/usr/bin/env python")
                .file("test_src/third_party/catapult/README", "catapult").build(Compression.BZIP2));
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(server.http.sendAsync(HttpRequest.newBuilder(URI.create(server.base() + "/setup_telemetry?archive_url=" + URL))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        String answer = null;
        for (var call : calls) {
            HttpResponse<String> r = call.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            answer = answer == null ? r.body() : answer;
            assertEquals(answer, r.body(), "every caller gets the same directory");
        }
        Path src = Path.of(answer);
        assertEquals(server.build(PATH).resolve("autotest/packages/telemetry_src/src").toAbsolutePath().normalize(), src);
        assertEquals("#!/usr/bin/env python", Files.readString(src.resolve("tools/perf/run_benchmark")));
        assertTrue(Files.exists(src.resolve("data/page_cycler/x.html")), "every dependency tarball that exists is unpacked");
        var db = server.stagehand.database().dsl();
        assertEquals(1, db.fetchCount(Tables.JOB, Tables.JOB.ARTIFACT.eq("telemetry_src")), "unpacked once");
        assertEquals(answer, server.get("/setup_telemetry?archive_url=" + URL).body(), "and answered from what is staged");
    }

    @Test
    void aHostileTelemetryTarballIsRefusedAndWritesNothingOutside() throws Exception {
        uploadPackages(tar().file("test_src/ok.txt", "ok").file("../../../../escaped.txt", "bad").build(Compression.BZIP2));
        var r = server.get("/setup_telemetry?archive_url=" + URL);
        assertEquals(500, r.statusCode());
        assertTrue(r.body().contains("hostile archive dep-telemetry_dep.tar.bz2") && !r.body().contains("\n"), r.body());
        try (var files = Files.walk(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().equals("escaped.txt")), "nothing escaped");
        }
        assertFalse(Files.exists(server.build(PATH).resolve("autotest/packages/telemetry_src/src/ok.txt")), "nothing installed");
        assertEquals(400, server.get("/setup_telemetry").statusCode());
    }
}
