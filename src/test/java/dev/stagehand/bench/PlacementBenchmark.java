package dev.stagehand.bench;

import dev.stagehand.Settings;
import dev.stagehand.queue.Rendezvous;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hashed placement (issue 24): how evenly 1,000 build paths spread over 3 nodes and how many move
 * when a 4th joins; and a build staged and read through a node that is not its home (one 302
 * away) against the same through its home, by curl processes in paired rounds, on two nodes
 * sharing a PostgreSQL database.
 */
@Tag("benchmark")
class PlacementBenchmark {
    static final String BUCKET = "bench";
    static final int MB = 1 << 20;
    static final int ROUNDS = 12;
    static final int OBJECT_MB = 64;

    @TempDir Path dir;

    @Test
    void spreadAndMoves() {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            paths.add("board-" + (i % 41) + "-release/R" + (100 + i % 19) + "-" + (16000 + i) + ".0.0");
        }
        List<Double> spreads = new ArrayList<>();
        List<Double> moves = new ArrayList<>();
        Random names = new Random(24);
        for (int ring = 0; ring < 100; ring++) { // 100 labs, each with its own 3 host names
            List<String> three = new ArrayList<>();
            for (int n = 0; n < 3; n++) {
                three.add("http://stagehand-" + Integer.toHexString(names.nextInt()) + ".lab:8080");
            }
            Map<String, Integer> counts = new HashMap<>();
            Map<String, String> before = new HashMap<>();
            for (String p : paths) {
                String home = Rendezvous.home(p, three).orElseThrow();
                before.put(p, home);
                counts.merge(home, 1, Integer::sum);
            }
            spreads.add((double) counts.values().stream().mapToInt(i -> i).max().orElseThrow()
                    / counts.values().stream().mapToInt(i -> i).min().orElseThrow());
            List<String> four = new ArrayList<>(three);
            four.add("http://stagehand-" + Integer.toHexString(names.nextInt()) + ".lab:8080");
            moves.add(paths.stream().filter(p -> !Rendezvous.home(p, four).orElseThrow().equals(before.get(p))).count() / 1000.0);
        }
        spreads.sort(null);
        moves.sort(null);
        BenchReport.line("placement: 1000 build paths over 3 nodes, max/min over 100 sets of host names: median %.3f, p90 %.3f, worst %.3f"
                + " (target <= 1.2)", spreads.get(50), spreads.get(90), spreads.get(99));
        BenchReport.line("placement: builds that move when a 4th node joins: median %.3f, min %.3f, max %.3f (target about 0.25)",
                moves.get(50), moves.get(0), moves.get(99));
    }

    @Test
    void stageAndReadThroughANodeThatIsNotTheHome() throws Exception {
        try (FakeGcs gcs = new FakeGcs()) {
            Path object = dir.resolve("object.bin");
            byte[] block = new byte[MB];
            new Random(1).nextBytes(block);
            try (var out = Files.newOutputStream(object)) {
                for (int i = 0; i < OBJECT_MB; i++) {
                    out.write(block);
                }
            }
            try (Server a = start("a", gcs); Server b = start("b", gcs)) {
                String homeUrl = a.stagehand.queue().placement().advertiseUrl();
                List<String> ring = List.of(homeUrl, b.stagehand.queue().placement().advertiseUrl());
                Eventually.await(Duration.ofSeconds(30), "both nodes to see each other",
                        () -> a.stagehand.queue().homes().homeOf("x/y").equals(Rendezvous.home("x/y", ring).orElseThrow())
                                && b.stagehand.queue().homes().homeOf("x/y").equals(Rendezvous.home("x/y", ring).orElseThrow()));
                List<String> homedOnA = new ArrayList<>();
                for (int i = 0; homedOnA.size() < 2 * ROUNDS + 2; i++) {
                    String path = "t/R" + i;
                    if (Rendezvous.home(path, ring).orElseThrow().equals(homeUrl)) {
                        homedOnA.add(path);
                        gcs.putFile(BUCKET, path + "/stateful.tgz", object);
                    }
                }
                curl(a, homedOnA.remove(0)); // both nodes warm once
                curl(b, homedOnA.remove(0));
                List<Long> throughHome = new ArrayList<>();
                List<Long> throughOther = new ArrayList<>();
                List<Long> ratiosPerMille = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    boolean homeFirst = round % 2 == 0;
                    for (int leg = 0; leg < 2; leg++) {
                        boolean home = (leg == 0) == homeFirst;
                        long ms = Math.round(1000 * curl(home ? a : b, homedOnA.remove(0)));
                        (home ? throughHome : throughOther).add(ms);
                    }
                    ratiosPerMille.add(1000 * throughOther.get(round) / throughHome.get(round));
                }
                double h = BenchReport.percentile(throughHome, 50);
                double o = BenchReport.percentile(throughOther, 50);
                BenchReport.line("placement: stage + read %d MiB by curl, %d paired rounds: through the home median %.0f ms,"
                        + " through the other node (302 followed) median %.0f ms; ratio of medians %.3f, median of paired ratios %.3f"
                        + " (target <= 1.05); all home %s, all other %s", OBJECT_MB, ROUNDS, h, o, o / h,
                        BenchReport.percentile(ratiosPerMille, 50) / 1000, throughHome, throughOther);
            }
        }
    }

    /** One blocking stage call and one whole read, each by its own curl process, following redirects; seconds. */
    private static double curl(Server node, String path) throws Exception {
        String base = node.stagehand.queue().placement().advertiseUrl();
        return BenchReport.timeShell("curl -sfL -o /dev/null '" + base + "/stage?archive_url=gs://" + BUCKET + "/" + path
                + "&artifacts=stateful' && curl -sfL -o /dev/null '" + base + "/static/" + path + "/stateful.tgz'");
    }

    private Server start(String name, FakeGcs gcs) throws Exception {
        Settings s = Server.hashedNode(dir, gcs.endpoint(), name, false);
        return Server.start(s.withDatabase(TestDb.url(dir, true), null)); // several nodes share PostgreSQL
    }
}
