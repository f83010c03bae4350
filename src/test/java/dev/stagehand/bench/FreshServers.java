package dev.stagehand.bench;

import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.ServerMain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Servers in their own JVMs started one after another, each on a data directory of its own, so
 * every object is new to each: a first byte "on a server just started" measured several times,
 * as this host's cold starts vary by half from one to the next.
 */
final class FreshServers {
    private FreshServers() {}

    /** One round's work against a server just started on {@code port}; {@code last}: the final round. */
    interface Round {
        void run(int port, boolean last) throws Exception;
    }

    static void each(Path dir, FakeGcs gcs, String bucket, int rounds, Round round) throws Exception {
        warmTheFake(gcs, bucket);
        for (int n = 1; n <= rounds; n++) {
            Path log = dir.resolve("server-" + n + ".log");
            Process server = ChildJvm.start(ServerMain.class, log, ServerJvm.args("512m"), dir.resolve("data-" + n).toString(),
                    gcs.endpoint());
            try {
                Eventually.await(Duration.ofSeconds(60), "the server to start", () -> ChildJvm.portFromLog(log) > 0);
                round.run(ChildJvm.portFromLog(log), n == rounds);
            } finally {
                ChildJvm.kill(server);
            }
        }
    }

    /**
     * The fake stands for GCS, which is never cold; its listing and metadata handlers run in this
     * JVM, cold for the first server of a run only. That server was often the slowest (0.37–0.46 s
     * cold where the next four's were 0.19–0.28 s), so they are warmed here first, as a store is.
     */
    private static void warmTheFake(FakeGcs gcs, String bucket) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.util.regex.Pattern name = java.util.regex.Pattern.compile("\"name\"\\s*:\\s*\"([^\"]+)\"");
        String base = gcs.endpoint() + "/storage/v1/b/" + bucket + "/o";
        for (int i = 0; i < 50; i++) {
            String listing = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "?maxResults=3")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            java.util.regex.Matcher m = name.matcher(listing);
            if (m.find()) {
                client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/"
                        + java.net.URLEncoder.encode(m.group(1), java.nio.charset.StandardCharsets.UTF_8))).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
            }
        }
    }

    /** "median 0.231 s, each [0.375, 0.199, ...]". */
    static String medianAndEach(List<Double> seconds) {
        return String.format("median %.3f s, each %s", BenchReport.median(seconds),
                seconds.stream().map(v -> String.format("%.3f", v)).toList());
    }
}
