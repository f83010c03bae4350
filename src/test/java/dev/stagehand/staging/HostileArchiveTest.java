package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.common.RealPaths;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestArchives.Compression;
import dev.stagehand.testing.TestArchives;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile archives, as an attacker would make them, through the real server: each case stages
 * one or more artifacts (an earlier one may leave links behind), and every case then checks that
 * nothing outside the build was written, linked or read, and that nothing partial is staged.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileArchiveTest {
    static final String BUCKET = "bkt";
    static final String SECRET = "TOP-SECRET";
    /** Artifacts that unpack one archive of each format at the build's root. */
    static final String CATALOGUE = """
            {"artifacts": {
              "h_tar": [[{"glob": "payload.tar", "action": "extract"}]],
              "h_tgz": [[{"glob": "payload.tgz", "action": "extract"}]],
              "h_tbz2": [[{"glob": "payload.tar.bz2", "action": "extract"}]],
              "h_txz": [[{"glob": "payload.tar.xz", "action": "extract"}]],
              "h_zip": [[{"glob": "payload.zip", "action": "extract"}]],
              "h_member": [[{"glob": "image.zip", "action": "member", "member": "disk.bin", "to": "disk.bin"}]],
              "h_kept": [[{"glob": "many.tgz", "action": "extract", "include": ["keep/**"]}]]
            }}""";

    Path dir;
    FakeGcs gcs;
    Server server;
    Path outside;

    /** One artifact staged from one archive object. */
    record Step(String artifact, String object, byte[] bytes) {}

    /**
     * A case: its steps in order; what the last one's failure says (null: it stages); and paths
     * (relative to the build) that a reader will try, each of which must never yield the secret.
     */
    record Case(String name, List<Step> steps, String failure, List<String> probes) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        outside = dir.resolve("outside");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Path catalogue = dir.resolve("catalogue.json");
        Files.writeString(catalogue, CATALOGUE);
        gcs = new FakeGcs();
        server = Server.start(Server.settings(dir, gcs).withCatalogue(catalogue));
    }

    @AfterAll
    void stop() {
        server.close();
        gcs.close();
    }

    /** The outside dir's path, as a relative path from the filesystem root (what a link climbs to). */
    String outsideFromRoot() {
        return outside.toAbsolutePath().toString().substring(1);
    }

    static String repeat(String s, int n) {
        return s.repeat(n);
    }

    /** {@code x/a/a/.../a} with {@code n} a's: where x/a -> ../x makes every one of them x itself. */
    static String loopPath(String prefix, int n) {
        return prefix + "x" + "/a".repeat(n);
    }

    List<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        // Item 1: a link to its own parent, then a link "inside" it that climbs further than it seems, then a file through it.
        String chain = loopPath("", 20);
        TestArchives.Tar writeAnywhere = tar().directory("x").symlink("x/a", "../x")
                .symlink(chain + "/b", repeat("../", 21) + outsideFromRoot())
                .file(chain + "/b/pwned.txt", "pwned");
        for (var format : Map.of("h_tar", Compression.NONE, "h_tgz", Compression.GZIP, "h_tbz2", Compression.BZIP2,
                "h_txz", Compression.XZ).entrySet()) {
            String object = switch (format.getValue()) {
                case NONE -> "payload.tar";
                case GZIP -> "payload.tgz";
                case BZIP2 -> "payload.tar.bz2";
                case XZ -> "payload.tar.xz";
            };
            cases.add(new Case("write-through-own-link-" + format.getKey(),
                    List.of(new Step(format.getKey(), object, writeAnywhere.build(format.getValue()))),
                    "lies inside the symlink", List.of(chain + "/b/pwned.txt", "x/b/pwned.txt")));
        }
        // Items 1 and 2 across artifacts: an earlier artifact's link x/a -> ../x stays in the build; a later
        // artifact's real directories x/a/a/... would put its link (or files) through it when installed.
        byte[] loop = tar().directory("autotest/x").symlink("autotest/x/a", "../x").file("autotest/x/ok", "ok").build(Compression.NONE);
        String deep = loopPath("autotest/", 20);
        cases.add(new Case("read-through-earlier-link", List.of(
                new Step("control_files", "control_files.tar", loop),
                new Step("au_suite", "au_control.tar.bz2", tar().symlink(deep + "/secret", repeat("../", 22) + outsideFromRoot() + "/secret.txt")
                        .build(Compression.BZIP2))),
                "is a symlink; nothing is written through one", List.of("autotest/x/secret", deep + "/secret")));
        cases.add(new Case("write-through-earlier-link", List.of(
                new Step("control_files", "control_files.tar", loop),
                new Step("au_suite", "au_control.tar.bz2", tar().file(deep + "/pwned.txt", "pwned").build(Compression.BZIP2))),
                "is a symlink; nothing is written through one", List.of("autotest/x/pwned.txt")));
        cases.add(tarCase("absolute-link", tar().symlink("autotest/l", outside.resolve("secret.txt").toString()),
                "symlink to an absolute path", "autotest/l"));
        cases.add(tarCase("climbing-link", tar().symlink("autotest/l", "../../outside/secret.txt"), "pointing outside", "autotest/l"));
        cases.add(tarCase("dotdot-after-a-name", tar().directory("autotest/sub").symlink("autotest/sub/l", "sub/../../../x"),
                "climbs with '..' after a name", "autotest/sub/l"));
        cases.add(tarCase("link-to-the-build-root", tar().symlink("autotest/l", ".."), "pointing outside", "autotest/l"));
        cases.add(tarCase("member-dotdot", tar().file("autotest/ok", "ok").file("../../pwned.txt", "x"), "contains '..'", "ok"));
        cases.add(tarCase("member-absolute", tar().file("autotest/ok", "ok").file(outside.resolve("pwned.txt").toString(), "x"),
                "absolute path", "ok"));
        cases.add(tarCase("hard-link-absolute", tar().hardLink("autotest/h", outside.resolve("secret.txt").toString()),
                "absolute path", "autotest/h"));
        cases.add(tarCase("hard-link-to-nothing", tar().hardLink("autotest/h", "autotest/not-there"),
                "hard link to something not in the archive", "autotest/h"));
        cases.add(tarCase("hard-link-to-a-link", tar().file("autotest/t", "t").symlink("autotest/s", "t").hardLink("autotest/h", "autotest/s"),
                "hard link to something not in the archive", "autotest/h"));
        cases.add(tarCase("newline-in-a-name", tar().file("autotest/ok", "ok").file("autotest/a\n../../b", "x"),
                "control character", "autotest/ok"));
        cases.add(tarCase("device", tar().file("autotest/ok", "ok").device("autotest/dev"), "device or FIFO", "autotest/dev"));
        cases.add(tarCase("link-in-the-place-of-a-directory", tar().file("autotest/d/f", "f").symlink("autotest/d", "f"),
                "in the place of a directory", "autotest/d/f"));
        // Loops and chains stay inside the build: they stage, and a read of a loop finds nothing.
        cases.add(tarCase("link-loop", tar().file("autotest/ok", "ok").symlink("autotest/l1", "l2").symlink("autotest/l2", "l1"),
                null, "autotest/l1"));
        cases.add(tarCase("link-chain", tar().file("autotest/real", "real").symlink("autotest/c1", "c2").symlink("autotest/c2", "real"),
                null, "autotest/c1"));
        // zip: no links at all, and the same name rules.
        cases.add(new Case("zip-symlink", List.of(new Step("h_zip", "payload.zip", TestArchives.zipSymlink("x/a", "../x"))),
                "is a symlink (not allowed in zip", List.of("x/a")));
        cases.add(new Case("zip-dotdot", List.of(new Step("h_zip", "payload.zip",
                TestArchives.zip(Map.of("../../pwned.txt", "x".getBytes())))), "contains '..'", List.of()));
        cases.add(new Case("zip-absolute", List.of(new Step("h_zip", "payload.zip",
                TestArchives.zip(Map.of(outside.resolve("pwned.txt").toString(), "x".getBytes())))), "absolute path", List.of()));
        // Bombs: what is written is counted, not what the headers say.
        cases.add(new Case("bomb-tgz", List.of(new Step("h_tgz", "payload.tgz",
                tar().zeros("zeros.bin", 100L << 20).build(Compression.GZIP))), "times its size", List.of("zeros.bin")));
        cases.add(new Case("bomb-zip-with-lying-headers", List.of(new Step("h_member", "image.zip",
                TestArchives.lyingZip("disk.bin", 100L << 20, 1000))), "times its size", List.of("disk.bin")));
        cases.add(new Case("too-many-members", List.of(new Step("h_kept", "many.tgz",
                tar().file("keep/one", "1").emptyFiles("skip", ArchiveLimits.DEFAULT_MAX_MEMBERS).build(Compression.GZIP))),
                "more than " + ArchiveLimits.DEFAULT_MAX_MEMBERS + " members", List.of("keep/one")));
        return cases;
    }

    private static Case tarCase(String name, TestArchives.Tar archive, String failure, String probe) throws IOException {
        return new Case(name, List.of(new Step("control_files", "control_files.tar", archive.build(Compression.NONE))), failure,
                List.of(probe));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aHostileArchiveReachesNothingOutsideItsBuildAndStagesNothingPartial(Case c) throws Exception {
        String build = "target/" + c.name();
        String url = "gs://" + BUCKET + "/" + build;
        for (int i = 0; i < c.steps().size(); i++) {
            Step step = c.steps().get(i);
            gcs.put(BUCKET, build + "/" + step.object(), step.bytes());
            var response = server.get("/stage?archive_url=" + url + "&artifacts=" + step.artifact());
            boolean last = i == c.steps().size() - 1;
            if (!last || c.failure() == null) {
                assertEquals("Success", response.body(), c + " step " + i);
                continue;
            }
            assertEquals(500, response.statusCode(), c + ": " + response.body());
            assertTrue(response.body().contains(c.failure()), c + ": " + response.body());
            assertFalse(response.body().contains(server.staticDir.toString()), "no server path in " + response.body());
            assertFalse(server.get("/is_staged?archive_url=" + url + "&artifacts=" + step.artifact()).body().equals("True"), c.name());
            assertEquals(1, server.jobs("FAILED", url).stream().filter(j -> j.artifact().equals(step.artifact()))
                    .mapToInt(j -> j.attempts()).sum(), "a hostile archive is not retried");
            assertFalse(markerExists(url, step.artifact()), c + ": no marker");
        }
        assertNothingEscaped(c);
        for (String probe : c.probes()) {
            assertNoSecret(server.get("/static/" + build + "/" + probe).body(), c + " /static " + probe);
            if (probe.startsWith("autotest/")) {
                String control = URLEncoder.encode(probe.substring("autotest/".length()), StandardCharsets.UTF_8);
                assertNoSecret(server.get("/controlfiles?build=" + build + "&control_path=" + control).body(), c + " /controlfiles");
            }
        }
        assertNoSecret(server.get("/list_suite_controls?build=" + build + "&suite_name=x").body(), c + " /list_suite_controls");
        assertNoSecret(server.get("/controlfiles?build=" + build).body(), c + " /controlfiles list");
    }

    @Test
    void aChainOfLinksInsideTheBuildIsServedAndALoopIsNot() throws Exception {
        String build = "target/chain";
        gcs.put(BUCKET, build + "/control_files.tar", tar().file("autotest/real", "real").symlink("autotest/c1", "c2")
                .symlink("autotest/c2", "real").symlink("autotest/l1", "l2").symlink("autotest/l2", "l1").build(Compression.NONE));
        assertEquals("Success", server.get("/stage?archive_url=gs://" + BUCKET + "/" + build + "&artifacts=control_files").body());
        assertEquals("real", server.get("/static/" + build + "/autotest/c1").body());
        assertEquals("real", server.get("/controlfiles?build=" + build + "&control_path=c1").body());
        assertEquals(404, server.get("/static/" + build + "/autotest/l1").statusCode());
        assertEquals(404, server.get("/controlfiles?build=" + build + "&control_path=l1").statusCode());
    }

    @Test
    void laterDuplicateMembersReplaceEarlierOnesAsGnuTarDoes() throws Exception {
        String build = "target/duplicates";
        gcs.put(BUCKET, build + "/control_files.tar", tar()
                .file("autotest/dup", "one").file("autotest/dup", "two")
                .symlink("autotest/was-link", "dup").file("autotest/was-link", "a file now")
                .file("autotest/was-file", "a file").symlink("autotest/was-file", "dup")
                .build(Compression.NONE));
        String url = "gs://" + BUCKET + "/" + build;
        assertEquals("Success", server.get("/stage?archive_url=" + url + "&artifacts=control_files").body());
        Path staged = server.build(build).resolve("autotest");
        assertEquals("two", Files.readString(staged.resolve("dup")));
        assertFalse(Files.isSymbolicLink(staged.resolve("was-link")));
        assertEquals("a file now", Files.readString(staged.resolve("was-link")));
        assertTrue(Files.isSymbolicLink(staged.resolve("was-file")));
        assertEquals("two", Files.readString(staged.resolve("was-file")));
        assertEquals("True", server.get("/is_staged?archive_url=" + url + "&artifacts=control_files").body());
        assertEquals("True", server.get("/is_staged?archive_url=" + url + "&artifacts=control_files").body(), "and stays so");
    }

    @Test
    void aLinkThatAnOlderVersionOrAnOperatorLeftIsNotReadThrough() throws Exception {
        String build = "target/planted";
        gcs.put(BUCKET, build + "/control_files.tar", tar().file("autotest/control", "NAME='ok'").build(Compression.NONE));
        assertEquals("Success", server.get("/stage?archive_url=gs://" + BUCKET + "/" + build + "&artifacts=control_files").body());
        Path autotest = server.build(build).resolve("autotest");
        Files.createSymbolicLink(autotest.resolve("planted"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(autotest.resolve("planted-dir"), outside);
        for (String path : List.of("planted", "planted-dir/secret.txt")) {
            assertEquals(404, server.get("/static/" + build + "/autotest/" + path).statusCode(), path);
            assertEquals(404, server.get("/controlfiles?build=" + build + "&control_path=" + path).statusCode(), path);
        }
        String listed = server.get("/controlfiles?build=" + build).body();
        assertEquals("control", listed, "links out of the build are not listed");
        Files.writeString(autotest.resolve("control.x"), "SUITE = 'x'");
        assertNoSecret(server.get("/list_suite_controls?build=" + build + "&suite_name=x").body(), "suite");
    }

    private boolean markerExists(String url, String artifact) throws IOException {
        Path markers = server.staticDir.resolve(".stagehand/markers");
        try (Stream<Path> all = Files.walk(markers)) {
            Long buildId = server.jobs(null, url).get(0).buildId();
            return all.anyMatch(p -> p.getParent().getFileName().toString().equals(Long.toString(buildId))
                    && p.getFileName().toString().startsWith(artifact + "."));
        }
    }

    /** Nothing new outside, no 'pwned' file anywhere, and every link in the staged builds resolves inside its build. */
    private void assertNothingEscaped(Case c) throws IOException {
        try (Stream<Path> outsideFiles = Files.list(outside)) {
            assertEquals(List.of(outside.resolve("secret.txt")), outsideFiles.toList(), c + ": nothing written outside");
        }
        assertEquals(SECRET, Files.readString(outside.resolve("secret.txt")));
        try (Stream<Path> all = Files.walk(dir)) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().startsWith("pwned")), c + ": no pwned file anywhere");
        }
        Path builds = server.staticDir.resolve("target");
        try (Stream<Path> all = Files.walk(builds)) {
            for (Path link : all.filter(Files::isSymbolicLink).toList()) {
                Path build = builds.resolve(builds.relativize(link).getName(0));
                if (Files.exists(link)) {
                    assertTrue(RealPaths.isInside(build, link), c + ": " + link + " leads out of its build");
                } else {
                    assertTrue(Files.exists(link, LinkOption.NOFOLLOW_LINKS), c + ": a dangling or looping link stays a link");
                }
            }
        }
    }

    private static void assertNoSecret(String body, String what) {
        assertFalse(body.contains(SECRET), what + " read the secret: " + body);
    }
}
