package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.ServerTest;
import dev.stagehand.testing.TestArchives;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** xbuddy names, as autotest's client resolves LATEST builds and downloads images by alias. */
@Tag("integration")
class XBuddyTest extends ServerTest {
    static final String IMAGES = "img-bucket";
    static final String IMAGE_DIR = "gs://" + IMAGES + "/";

    @BeforeEach
    void uploadBuilds() throws Exception {
        for (String build : new String[] {"R78-12499.0.0", "R78-12500.0.0", "R79-12600.0.0"}) {
            gcs.put(IMAGES, "eve-release/" + build + "/image.zip", TestArchives.zip(Map.of(
                    "chromiumos_test_image.bin", random(5000, build.hashCode()), "chromiumos_base_image.bin", random(100, 2))));
        }
        gcs.put(IMAGES, "eve-release/LATEST-master", "R79-12600.0.0\n".getBytes());
        gcs.put(IMAGES, "eve-paladin/R79-12601.0.0-rc1/image.zip", TestArchives.zip(Map.of("chromiumos_test_image.bin", random(10, 3))));
        gcs.put(IMAGES, "eve-paladin/LATEST-master", "R79-12601.0.0-rc1".getBytes());
        gcs.put(IMAGES, "nolatest-release/R1-1.0.0/image.zip", new byte[10]);
    }

    private String translate(String path) throws Exception {
        var r = server.get("/xbuddy_translate/" + path + "?image_dir=" + IMAGE_DIR);
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        return r.body();
    }

    /** What the lab client's get_latest_build_in_gs returns: os.path.dirname of the answer. */
    private String clientBuild(String path) throws Exception {
        String answer = translate(path);
        return answer.substring(0, answer.lastIndexOf('/'));
    }

    @Test
    void aliasesResolveAsXbuddyDid() throws Exception {
        assertEquals("eve-release/R78-12499.0.0/chromiumos_test_image.bin", translate("remote/eve/R78-12499.0.0"));
        assertEquals("eve-release/R79-12600.0.0", clientBuild("remote/eve/latest-official"), "the client's LATEST lookup");
        assertEquals("eve-release/R79-12600.0.0", clientBuild("remote/eve/latest"));
        assertEquals("eve-paladin/R79-12601.0.0-rc1", clientBuild("remote/eve/latest-official-paladin"));
        assertEquals("eve-release/R78-12500.0.0", clientBuild("remote/eve/latest-R78"), "the milestone's newest build");
        assertEquals("eve-release/R78-12500.0.0", clientBuild("remote/eve/R78"));
        assertEquals("eve-release/R78-12499.0.0/chromiumos_base_image.bin", translate("remote/eve/R78-12499.0.0/base"));
        assertEquals("eve-release/R79-12600.0.0/update.gz", translate("eve/latest/full_payload"), "remote is the default");
    }

    @Test
    void badAliasesAre400AndMissingBuildsOrLatestFiles404OneLine() throws Exception {
        String[][] cases = {
                {"remote/eve/latest-sometime", "400", "unknown version alias"},
                {"remote/eve/R78-12499.0.0/nonsense", "400", "unknown image alias"},
                {"local/eve/latest", "400", "local builds"},
                {"remote/eve/latest/test/extra", "400", "remote/BOARD/VERSION"},
                {"remote/ev%20e/latest", "400", "invalid board"},
                {"remote/nolatest/latest-official", "404", "no LATEST-master file"},
                {"remote/eve/R70-1.0.0", "404", "no build eve-release/R70-1.0.0"},
                {"remote/eve/latest-R70", "404", "no build of R70"}};
        for (String[] c : cases) {
            var r = server.get("/xbuddy_translate/" + c[0] + "?image_dir=" + IMAGE_DIR);
            assertEquals(Integer.parseInt(c[1]), r.statusCode(), c[0] + " -> " + r.body());
            assertTrue(r.body().contains(c[2]) && !r.body().contains("\n"), c[0] + " -> " + r.body());
        }
        var bad = server.get("/xbuddy_translate/remote/eve/latest?image_dir=http://elsewhere/");
        assertEquals(400, bad.statusCode());
        assertEquals(0, server.jobs(null, null).size(), "translating stages nothing");
    }

    @Test
    void xbuddyStagesTheImageAndRedirectsToIt() throws Exception {
        HttpClient noRedirects = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        var r = noRedirects.send(HttpRequest.newBuilder(URI.create(server.base()
                + "/xbuddy/remote/eve/latest-official/test?image_dir=" + IMAGE_DIR)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, r.statusCode(), r.body());
        String location = r.headers().firstValue("Location").orElseThrow();
        assertTrue(location.endsWith("/static/eve-release/R79-12600.0.0/chromiumos_test_image.bin"), location);
        var image = server.http.send(HttpRequest.newBuilder(URI.create(server.base()
                + "/static/eve-release/R79-12600.0.0/chromiumos_test_image.bin")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(random(5000, "R79-12600.0.0".hashCode()), image.body());
        assertEquals("eve-release/R78-12499.0.0",
                server.get("/xbuddy/remote/eve/R78-12499.0.0/base?relative_path=true&image_dir=" + IMAGE_DIR).body());
        assertTrue(server.get("/xbuddy/remote/eve/R78-12499.0.0/base?return_dir=true&image_dir=" + IMAGE_DIR).body()
                .endsWith("/static/eve-release/R78-12499.0.0"));
        var failed = server.get("/xbuddy/remote/eve/R78-12499.0.0/recovery?image_dir=" + IMAGE_DIR);
        assertEquals(500, failed.statusCode());
        assertTrue(failed.body().contains("Failed to stage recovery_image") && !failed.body().contains("\n"), failed.body());
        assertFalse(failed.body().contains("Exception"));
    }
}
