package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.ServerMain;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak profile ({@code mvn -B -Psoak test}): hundreds of trials of a server killed with
 * SIGKILL at a random moment while it stages a random mix of artifacts and a 50-80 MiB file,
 * sometimes killed again while it recovers, then started once more: every trial must end staged,
 * or with a failure it reports, within 90 s. A stuck trial dumps its build's jobs, attempts and
 * requests. {@code -Dsoak.trials=N} (default 200) and {@code -Dsoak.seed=S} choose the trials.
 */
@Tag("integration")
@Tag("soak")
class KillSoakTest {
    static final List<String> ARTIFACTS = List.of("base_image", "stateful", "symbols", "test_image", "test_suites",
            "full_payload", "autotest", "control_files", "au_suite", "delta_payloads");
    static final String BIG = "big.bin";

    @TempDir Path dir;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final ObjectMapper json = new ObjectMapper();

    @Test
    void everyTrialEndsStagedOrReportsItsFailure() throws Exception {
        int trials = Integer.getInteger("soak.trials", 200);
        long seed = Long.getLong("soak.seed", System.currentTimeMillis());
        Random random = new Random(seed);
        Path bigFile = dir.resolve("big.bin");
        Files.write(bigFile, random(80 << 20, seed));
        int kills = 0;
        List<String> stuck = new ArrayList<>();
        try (FakeGcs gcs = new FakeGcs()) {
            for (int trial = 0; trial < trials; trial++) {
                String build = "R78-" + (10_000 + trial) + ".0.0";
                SampleBuild.upload(gcs, build);
                int bigSize = (50 << 20) + random.nextInt(30 << 20);
                Path trialBig = dir.resolve("big-" + trial);
                try (var in = java.nio.channels.FileChannel.open(bigFile); var out = java.nio.channels.FileChannel.open(trialBig,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
                    in.transferTo(0, bigSize, out);
                }
                gcs.putFile(SampleBuild.BUCKET, "eve-release/" + build + "/" + BIG, trialBig);
                gcs.faults(SampleBuild.BUCKET, "eve-release/" + build + "/" + BIG).delayPerMegabyteMs = random.nextInt(60);
                List<String> chosen = new ArrayList<>(ARTIFACTS);
                java.util.Collections.shuffle(chosen, random);
                chosen = chosen.subList(0, 1 + random.nextInt(chosen.size()));
                String query = "archive_url=" + URLEncoder.encode("gs://" + SampleBuild.BUCKET + "/eve-release/" + build,
                        StandardCharsets.UTF_8) + "&artifacts=" + String.join(",", chosen) + "&files=" + BIG;
                Path data = dir.resolve("t" + trial);
                long killAt = 200 + random.nextInt(4000);
                boolean twice = random.nextInt(10) < 3;
                String plan = "seed " + seed + " trial " + trial + ": " + chosen + " + " + BIG + " (" + bigSize + " B), killed at "
                        + killAt + " ms" + (twice ? " and again while recovering" : "");
                Process p = start(data, gcs, trial, 0);
                int port = ChildJvm.portFromLog(data.resolve("log-0"));
                assertEquals("Success", get(port, "/stage?" + query + "&async=True").body(), plan);
                Thread.sleep(killAt); // the kill point is what the trial draws
                ChildJvm.kill(p);
                kills++;
                int round = 1;
                if (twice) {
                    p = start(data, gcs, trial, round++);
                    Thread.sleep(100 + random.nextInt(2000));
                    ChildJvm.kill(p);
                    kills++;
                }
                p = start(data, gcs, trial, round);
                port = ChildJvm.portFromLog(data.resolve("log-" + round));
                try {
                    String outcome = awaitOutcome(port, query);
                    if (outcome == null) {
                        stuck.add(plan + "\n" + dump(port, build));
                        System.out.println("STUCK " + stuck.get(stuck.size() - 1));
                    }
                } finally {
                    ChildJvm.kill(p);
                    gcs.removeAll(SampleBuild.BUCKET, "eve-release/" + build + "/");
                    Files.delete(trialBig);
                    deleteTree(data);
                }
                System.out.println("trial " + trial + " done: " + plan);
            }
        }
        System.out.println("SOAK seed " + seed + ": " + trials + " trials, " + kills + " kills, " + stuck.size() + " stuck");
        assertEquals(List.of(), stuck, "stuck trials");
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private Process start(Path data, FakeGcs gcs, int trial, int round) throws Exception {
        Files.createDirectories(data);
        Path log = data.resolve("log-" + round);
        Process p = ChildJvm.start(ServerMain.class, log, List.of("-Dstagehand.test.productionRetries=true"), data.toString(),
                gcs.endpoint());
        Eventually.await(Duration.ofSeconds(60), "trial " + trial + "'s server to start", () -> ChildJvm.portFromLog(log) > 0);
        return p;
    }

    /** "True", or the failure is_staged reports; null when neither came within 90 s. */
    private String awaitOutcome(int port, String query) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get(port, "/is_staged?" + query);
            if (r.body().equals("True") || r.statusCode() == 500) {
                return r.body();
            }
            Thread.sleep(250);
        }
        return null;
    }

    private String dump(int port, String build) throws Exception {
        StringBuilder out = new StringBuilder();
        JsonNode jobs = json.readTree(get(port, "/api/v1/jobs?limit=1000").body());
        for (JsonNode job : jobs) {
            if (job.path("build_path").asText().endsWith(build)) {
                out.append("  job ").append(get(port, "/api/v1/jobs/" + job.path("id").asText()).body()).append('\n');
            }
        }
        return out.toString();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
