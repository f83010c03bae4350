package dev.stagehand.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.staging.DiskLimits;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ops kit in ops/: the alert rules pass promtool's check and their own unit tests, and every
 * metric the rules and the dashboard query is one a running server exports.
 */
@Tag("integration")
class OpsKitTest {
    static final Path RULES = Path.of("ops/prometheus/stagehand-rules.yml");
    static final Path RULE_TESTS = Path.of("ops/prometheus/stagehand-rules.test.yml");
    static final Path DASHBOARD = Path.of("ops/grafana/stagehand-dashboard.json");
    static final Pattern METRIC = Pattern.compile("\\b((?:stagehand|jetty)_[a-z_]+)");

    @TempDir Path dir;

    private static String promtool(String... args) throws Exception {
        boolean required = System.getenv("STAGEHAND_REQUIRE_PROMTOOL") != null;
        boolean present = new ProcessBuilder("sh", "-c", "command -v promtool").start().waitFor() == 0;
        if (!required) {
            Assumptions.assumeTrue(present, "promtool (Debian's prometheus package) is not installed");
        }
        String[] command = new String[args.length + 1];
        command[0] = "promtool";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void theAlertRulesPassPromtoolAndTheirUnitTests() throws Exception {
        assertTrue(promtool("check", "rules", RULES.toString()).contains("SUCCESS: 5 rules found"));
        assertTrue(promtool("test", "rules", RULE_TESTS.toString()).contains("SUCCESS"));
    }

    @Test
    void everyMetricTheRulesAndTheDashboardQueryIsExported() throws Exception {
        Set<String> queried = new TreeSet<>();
        collect(Files.readString(RULES), queried);
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertTrue(dashboard.get("panels").size() >= 10, "a panel per concern");
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                collect(target.get("expr").asText(), queried);
            }
        }
        try (FakeGcs gcs = new FakeGcs();
             Server server = Server.start(Server.settings(dir, gcs).withDisk(new DiskLimits(100L, 0L)))) {
            gcs.put("bkt", "b/R1/x.bin", new byte[1000]);
            // one of each: a job to its end, a caching-protocol request, a health check
            assertEquals(200, server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/download/bkt/b/R1/x.bin")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).statusCode());
            assertEquals(200, server.get("/check_health").statusCode());
            Set<String> missing = new TreeSet<>(queried);
            // the job's end is counted just after the answer
            Eventually.await(Duration.ofSeconds(10), "every queried metric to be exported: missing " + missing, () -> {
                try {
                    String exported = server.get("/metrics").body();
                    missing.removeIf(metric -> Pattern.compile("(?m)^" + metric + "[{ ]").matcher(exported).find());
                    return missing.isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    private static void collect(String text, Set<String> into) {
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            into.add(m.group(1));
        }
    }
}
