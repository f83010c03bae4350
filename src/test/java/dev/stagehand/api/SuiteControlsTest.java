package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.testing.ServerTest;
import dev.stagehand.testing.TestArchives.Compression;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** list_suite_controls and controlfiles?suite_name=: the suite map when it names the suite, else ATTRIBUTES and SUITE. */
@Tag("integration")
class SuiteControlsTest extends ServerTest {
    static final String BUCKET = "bkt";
    final ObjectMapper json = new ObjectMapper();

    private String stage(String build, String map) throws Exception {
        String path = "lumpy-release/" + build;
        var controls = tar()
                .file("autotest/server/site_tests/login/control", "NAME = 'login'\nATTRIBUTES = 'suite:bvt, suite:smoke'\n")
                .file("autotest/client/site_tests/dummy/control", "NAME = 'dummy'\nATTRIBUTES = ('suite:smoke,'\n    ' suite:bvt-inline')\n")
                .file("autotest/client/site_tests/old/control.old", "NAME = 'old'\nSUITE = 'regression, bvt'\n")
                .file("autotest/client/site_tests/none/control", "NAME = 'none'\n");
        gcs.put(BUCKET, path + "/control_files.tar", controls.build(Compression.NONE));
        var suites = tar().file("autotest/test_suites/control.bvt", "SUITE = 'bvt'");
        if (map != null) {
            suites.file("autotest/test_suites/suite_to_control_file_map", map);
        }
        gcs.put(BUCKET, path + "/test_suites.tar.bz2", suites.build(Compression.BZIP2));
        assertEquals("Success", server.get("/stage?archive_url=gs://" + BUCKET + "/" + path + "&artifacts=control_files,test_suites").body());
        return path;
    }

    private List<String> suite(String build, String suite) throws Exception {
        var r = server.get("/list_suite_controls?build=" + build + "&suite_name=" + suite);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode controls = json.readTree(r.body());
        List<String> paths = new ArrayList<>();
        controls.fieldNames().forEachRemaining(paths::add);
        for (String path : paths) {
            assertTrue(controls.get(path).asText().startsWith("NAME ="), "the file's text is its value: " + controls.get(path));
        }
        return paths.stream().sorted().toList();
    }

    @Test
    void withoutASuiteMapMembersAreFoundByTheirAttributesAndSuiteExactly() throws Exception {
        String build = stage("R1-1.0.0", null);
        assertEquals(List.of("client/site_tests/old/control.old", "server/site_tests/login/control"), suite(build, "bvt"),
                "not bvt-inline: suite names match whole");
        assertEquals(List.of("client/site_tests/dummy/control", "server/site_tests/login/control"), suite(build, "smoke"));
        assertEquals(List.of(), suite(build, "nothing"));
        assertEquals("client/site_tests/dummy/control\nserver/site_tests/login/control",
                server.get("/controlfiles?build=" + build + "&suite_name=smoke").body());
    }

    @Test
    void aSuiteMapDecidesForTheSuitesItNames() throws Exception {
        String build = stage("R2-1.0.0", "{\n  'bvt': ['client/site_tests/dummy/control'],  # from the build\n"
                + "  \"other\": [\"server/site_tests/login/control\", '../../../etc/passwd'],\n}\n");
        assertEquals(List.of("client/site_tests/dummy/control"), suite(build, "bvt"), "the map, not the attributes");
        assertEquals(List.of("server/site_tests/login/control"), suite(build, "other"), "nothing outside autotest/");
        assertEquals(List.of("client/site_tests/dummy/control", "server/site_tests/login/control"), suite(build, "smoke"),
                "a suite the map does not name: by attributes");
        assertEquals("client/site_tests/dummy/control", server.get("/controlfiles?build=" + build + "&suite_name=bvt").body());
    }

    @Test
    void aMalformedSuiteMapIsNeverEvaluatedAndFallsBackToTheAttributes() throws Exception {
        String build = stage("R3-1.0.0", "__import__('os').system('touch /tmp/pwned') or {'bvt': []}");
        assertEquals(List.of("client/site_tests/old/control.old", "server/site_tests/login/control"), suite(build, "bvt"));
        assertTrue(!java.nio.file.Files.exists(java.nio.file.Path.of("/tmp/pwned")));
    }

    @Test
    void badInputsAreOneLine4xx() throws Exception {
        String build = stage("R4-1.0.0", null);
        for (String[] c : new String[][] {
                {"/list_suite_controls?suite_name=bvt", "400", "missing parameter build"},
                {"/list_suite_controls?build=" + build, "400", "missing parameter suite_name"},
                {"/list_suite_controls?build=lumpy-release/R9-9.9.9&suite_name=bvt", "404", "no staged control files"},
                {"/list_suite_controls?build=../../etc&suite_name=bvt", "400", "relative path"},
                {"/list_suite_controls?build=.stagehand/markers&suite_name=bvt", "400", ".stagehand"}}) {
            var r = server.get(c[0]);
            assertEquals(Integer.parseInt(c[1]), r.statusCode(), c[0]);
            assertTrue(r.body().contains(c[2]) && !r.body().contains("\n"), c[0] + " -> " + r.body());
        }
    }
}
