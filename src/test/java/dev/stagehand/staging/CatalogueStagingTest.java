package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every catalogue entry staged from a realistic build in the fake GCS through the real server. */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogueStagingTest {
    Path dir;
    FakeGcs gcs;
    Server server;

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        gcs = new FakeGcs();
        SampleBuild.upload(gcs);
        server = Server.start(dir, gcs);
    }

    @AfterAll
    void stop() {
        server.close();
        gcs.close();
    }

    static Stream<Arguments> catalogue() {
        String b = SampleBuild.BUILD;
        return Stream.of(
                Arguments.of("full_payload", List.of("update.gz", "update.gz.json"), List.of()),
                Arguments.of("delta_payloads", List.of("au/" + b + "_nton/update.gz", "au/" + b + "_mton/update.gz",
                        "au/" + b + "_nton/stateful.tgz", "au/" + b + "_mton/stateful.tgz"), List.of()),
                Arguments.of("stateful", List.of("stateful.tgz"), List.of()),
                Arguments.of("test_image", List.of("chromiumos_test_image.bin"), List.of("chromiumos_base_image.bin")),
                Arguments.of("base_image", List.of("chromiumos_base_image.bin"), List.of()),
                Arguments.of("recovery_image", List.of("recovery_image.bin"), List.of()),
                Arguments.of("dev_image", List.of("chromiumos_image.bin"), List.of()),
                Arguments.of("signed_image", List.of("signed_image.bin"), List.of()),
                Arguments.of("autotest", List.of("autotest/client/common.py"), List.of("autotest/test_suites/control.bvt")),
                Arguments.of("autotest_packages", List.of("autotest/packages/client-autotest.tar.bz2"), List.of()),
                Arguments.of("control_files", List.of("autotest/server/site_tests/login/control"), List.of()),
                Arguments.of("test_suites", List.of("autotest/test_suites/control.bvt"), List.of()),
                Arguments.of("au_suite", List.of("autotest/au_control_files/control.paygen"), List.of()),
                Arguments.of("firmware", List.of("firmware_from_source.tar.bz2"), List.of()),
                Arguments.of("symbols", List.of("debug/breakpad/chrome/ABC/chrome.sym"), List.of("debug/usr/lib/debug/huge.debug")),
                Arguments.of("symbols_only", List.of("debug/breakpad/libc/DEF/libc.sym"), List.of()),
                Arguments.of("factory_image", List.of("factory_test/chromiumos_factory_image.bin"),
                        List.of("factory_shim/factory_install_shim.bin")),
                Arguments.of("quick_provision", List.of("full_dev_part_KERN.bin.gz", "full_dev_part_ROOT.bin.gz"), List.of()),
                Arguments.of("factory_shim_image", List.of("factory_shim/factory_install_shim.bin"), List.of()),
                Arguments.of("autotest_server_package", List.of("autotest_server_package.tar.bz2"), List.of("autotest/server/autoserv")),
                Arguments.of("paygen_au_canary_suite", List.of("autotest/au_control_files/control.canary"), List.of()),
                Arguments.of("paygen_au_dev_suite", List.of("autotest/au_control_files/control.dev"), List.of()),
                Arguments.of("paygen_au_beta_suite", List.of("autotest/au_control_files/control.beta"), List.of()),
                Arguments.of("paygen_au_stable_suite", List.of("autotest/au_control_files/control.stable"), List.of()),
                Arguments.of("libiota_test_binaries", List.of("test_binaries.tar.gz"), List.of("bin/iota_test")),
                Arguments.of("libiota_board_utils", List.of("board_utils.tar.gz"), List.of("utils/flash")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void eachCatalogueEntryStagesItsFiles(String artifact, List<String> expected, List<String> absent) throws Exception {
        var response = server.get("/stage?archive_url=" + SampleBuild.URL + "&artifacts=" + artifact);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("Success", response.body());
        Path build = server.build(SampleBuild.PATH);
        for (String file : expected) {
            assertTrue(Files.exists(build.resolve(file), LinkOption.NOFOLLOW_LINKS), artifact + " staged " + file);
        }
        for (String file : absent) {
            if (!artifact.equals("test_image")) {
                assertFalse(Files.exists(build.resolve(file)), artifact + " must not stage " + file);
            }
        }
        assertEquals("True", server.get("/is_staged?archive_url=" + SampleBuild.URL + "&artifacts=" + artifact).body());
    }

    /** An image comes from one pass over its compressed tar, as /extract's members do not: no copy of the archive is kept. */
    @Test
    void anImageIsStreamedFromItsArchiveAndTheArchiveIsNotKept() throws Exception {
        assertEquals("Success", server.get("/stage?archive_url=" + SampleBuild.URL + "&artifacts=test_image").body());
        Path build = server.build(SampleBuild.PATH);
        assertTrue(Files.exists(build.resolve("chromiumos_test_image.bin")));
        try (java.util.stream.Stream<Path> files = Files.walk(build)) {
            List<String> kept = files.map(p -> build.relativize(p).toString()).filter(p -> p.endsWith(".tar.xz") || p.startsWith("_extract"))
                    .toList();
            assertTrue(kept.isEmpty(), "kept " + kept);
        }
    }

    @Test
    void stagedBytesAreTheArchiveBytes() throws Exception {
        assertEquals("Success", server.get("/stage?archive_url=" + SampleBuild.URL + "&artifacts=recovery_image,full_payload").body());
        Path build = server.build(SampleBuild.PATH);
        assertArrayEquals(SampleBuild.images().get("recovery_image.bin"), Files.readAllBytes(build.resolve("recovery_image.bin")));
        assertArrayEquals(dev.stagehand.testing.TestArchives.random(200_000, 1), Files.readAllBytes(build.resolve("update.gz")));
    }

    @Test
    void deltaPayloadsLinkToTheSharedStatefulImage() throws Exception {
        assertEquals("Success", server.get("/stage?archive_url=" + SampleBuild.URL + "&artifacts=delta_payloads").body());
        Path link = server.build(SampleBuild.PATH).resolve("au/" + SampleBuild.BUILD + "_nton/stateful.tgz");
        assertEquals(Path.of("../../stateful.tgz"), Files.readSymbolicLink(link));
    }

    @Test
    void aBuildWithoutAnMToNDeltaGetsNoStrayLinkAndItsMarkerListsTheLinksItInstalled() throws Exception {
        String path = "eve-release/R79-12500.0.0";
        gcs.put(SampleBuild.BUCKET, path + "/chromeos_R79-12500.0.0_R79-12500.0.0_eve_delta_dev.bin", random(1000, 21));
        String url = "gs://" + SampleBuild.BUCKET + "/" + path;
        assertEquals("Success", server.get("/stage?archive_url=" + url + "&artifacts=delta_payloads").body());
        Path build = server.build(path);
        assertTrue(Files.isSymbolicLink(build.resolve("au/R79-12500.0.0_nton/stateful.tgz")));
        assertFalse(Files.exists(build.resolve("au/R79-12500.0.0_mton"), LinkOption.NOFOLLOW_LINKS), "no m-to-n delta, no link");
        Files.delete(build.resolve("au/R79-12500.0.0_nton/stateful.tgz"));
        assertEquals("False", server.get("/is_staged?archive_url=" + url + "&artifacts=delta_payloads").body(),
                "the link is in the marker: without it the artifact is not staged");
    }

    @Test
    void autotestCreatesThePackagesDirectory() throws Exception {
        assertEquals("Success", server.get("/stage?archive_url=" + SampleBuild.URL + "&artifacts=autotest").body());
        assertTrue(Files.isDirectory(server.build(SampleBuild.PATH).resolve("autotest/packages")));
    }

    @Test
    void filesParameterStagesNamedFilesAsTheyAre() throws Exception {
        var response = server.get("/stage?archive_url=" + SampleBuild.URL + "&files=logs/build.log,stateful.tgz");
        assertEquals("Success", response.body());
        assertEquals("log line", Files.readString(server.build(SampleBuild.PATH).resolve("logs/build.log")));
        assertEquals("True", server.get("/is_staged?archive_url=" + SampleBuild.URL + "&files=logs/build.log").body());
    }

    @Test
    void testImageFetchesOnlyItsMemberAndTheZipDirectory() throws Exception {
        long before = gcs.bytesServed(SampleBuild.BUCKET, SampleBuild.PATH + "/image.zip");
        try (Server other = Server.start(dir.resolve("other"), gcs)) {
            assertEquals("Success", other.get("/stage?archive_url=" + SampleBuild.URL + "&artifacts=test_image").body());
        }
        long fetched = gcs.bytesServed(SampleBuild.BUCKET, SampleBuild.PATH + "/image.zip") - before;
        long member = SampleBuild.IMAGE_SIZE; // random bytes: deflate cannot shrink them
        assertTrue(fetched <= member * 1.05 + 128 * 1024, "fetched " + fetched + " for a member of " + member);
        assertTrue(fetched < SampleBuild.imageZip().length / 3, "the other images were not fetched");
    }

    @Test
    void theFactoryShimComesFromFactoryImageZipByRangedReadsOfItsMemberOnly() throws Exception {
        String path = "eve-release/R80-13000.0.0";
        java.util.Map<String, byte[]> members = new java.util.LinkedHashMap<>();
        members.put("factory_test/chromiumos_factory_image.bin", random(SampleBuild.IMAGE_SIZE, 31));
        members.put("factory_shim/factory_install_shim.bin", random(SampleBuild.IMAGE_SIZE / 4, 32));
        byte[] zip = dev.stagehand.testing.TestArchives.zip(members);
        gcs.put(SampleBuild.BUCKET, path + "/factory_image.zip", zip);
        String url = "gs://" + SampleBuild.BUCKET + "/" + path;
        assertEquals("Success", server.get("/stage?archive_url=" + url + "&artifacts=factory_shim_image").body());
        assertArrayEquals(members.get("factory_shim/factory_install_shim.bin"),
                Files.readAllBytes(server.build(path).resolve("factory_shim/factory_install_shim.bin")));
        assertFalse(Files.exists(server.build(path).resolve("factory_test")), "only the shim is staged");
        long fetched = gcs.bytesServed(SampleBuild.BUCKET, path + "/factory_image.zip");
        assertTrue(fetched < zip.length / 2, "fetched " + fetched + " of " + zip.length + ": the factory image was not");
    }

    @Test
    void testSuitesQueuesRelatedArtifactsInTheBackground() throws Exception {
        try (Server other = Server.start(dir.resolve("locality"), gcs)) {
            assertEquals("Success", other.get("/stage?archive_url=" + SampleBuild.URL + "&artifacts=test_suites").body());
            dev.stagehand.testing.Eventually.await(java.time.Duration.ofSeconds(30), "optional jobs staged", () -> {
                try {
                    return other.get("/is_staged?archive_url=" + SampleBuild.URL + "&artifacts=control_files,autotest_packages")
                            .body().equals("True");
                } catch (Exception e) {
                    return false;
                }
            });
            var optional = other.jobs(null, SampleBuild.URL).stream()
                    .filter(j -> !j.artifact().equals("test_suites")).toList();
            assertEquals(2, optional.size());
            assertTrue(optional.stream().noneMatch(j -> j.required()), "related artifacts are optional jobs");
        }
    }
}
