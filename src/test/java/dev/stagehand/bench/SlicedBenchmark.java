package dev.stagehand.bench;

import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.ServerMain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a fake GCS that holds each connection to 32 MiB/s (as real GCS caps one stream):
 * staging 1 GiB against {@code gcloud storage cp} of the same object from the same fake, and a
 * device reading a 256 MiB file at 40 MiB/s while it is still being staged, against staging
 * alone and reading a staged file alone; then the peak RSS of a 4 GiB object over eight streams.
 * The server runs in its own JVM with its defaults, at -Xmx256m.
 */
@Tag("benchmark")
class SlicedBenchmark {
    static final String BUCKET = "bench";
    static final String PATH = "target/R2-1.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;
    static final long MIB = 1L << 20;
    static final long STREAM_RATE = 32 * MIB;

    @TempDir Path dir;
    final HttpClient http = HttpClient.newHttpClient();
    int port;

    @Test
    void slicedDownloadsAndStageAndServe() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        BenchReport.timeShell("head -c 1G /dev/urandom > " + data.resolve("one.bin") + " && head -c 256M /dev/urandom > "
                + data.resolve("device.bin"));
        try (FakeGcs gcs = new FakeGcs()) {
            gcs.putFile(BUCKET, PATH + "/one.bin", data.resolve("one.bin"));
            gcs.putFile(BUCKET, PATH + "/device.bin", data.resolve("device.bin"));
            gcs.throttlePerConnection(STREAM_RATE);
            Path log = dir.resolve("server.log");
            Process server = ChildJvm.start(ServerMain.class, log, ServerJvm.args("256m"), dir.resolve("srv").toString(), gcs.endpoint());
            try {
                Eventually.await(Duration.ofSeconds(60), "server", () -> (port = ChildJvm.portFromLog(log)) > 0);
                againstGcloud(gcs);
                stageAndServe();
                fourGibOverEightStreams(gcs, data, server.pid());
            } finally {
                ChildJvm.kill(server);
            }
        }
    }

    /** Alternating rounds of gcloud and stagehand on the 1 GiB object; best and median of each. */
    private void againstGcloud(FakeGcs gcs) throws Exception {
        var cp = GcloudCp.at(dir.resolve("gcloud-config"), gcs.endpoint());
        if (cp.isEmpty()) {
            BenchReport.line("sliced: gcloud not installed; the 1 GiB comparison with gcloud storage cp was not run");
            return;
        }
        Path out = dir.resolve("gcloud.bin");
        Path staged = dir.resolve("srv/static/" + PATH + "/one.bin");
        stage("files=one.bin"); // warm-up: the server's copy loop compiled, as in a server that has run a while
        int rounds = Integer.getInteger("bench.gcloudRounds", 3);
        List<Long> gcloud = new ArrayList<>();
        List<Long> ours = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            Files.deleteIfExists(out);
            BenchReport.timeShell("sync");
            gcloud.add(Math.round(1000 * cp.get().copy(URL + "/one.bin", out)));
            if (Files.size(out) != 1L << 30) {
                throw new IllegalStateException("gcloud copied " + Files.size(out) + " bytes");
            }
            Files.delete(staged);
            BenchReport.timeShell("sync");
            ours.add(Math.round(1000 * stage("files=one.bin")));
        }
        double best = BenchReport.percentile(ours, 0);
        double gcloudBest = BenchReport.percentile(gcloud, 0);
        BenchReport.line("sliced: 1 GiB at 32 MiB/s per connection, best of %d alternating rounds: stagehand %.0f ms vs gcloud storage cp"
                + " %.0f ms -> %.2fx gcloud (target <= 1.0x); medians %.0f vs %.0f ms; all rounds: stagehand %s, gcloud %s", rounds, best,
                gcloudBest, best / gcloudBest, BenchReport.percentile(ours, 50), BenchReport.percentile(gcloud, 50), ours, gcloud);
    }

    /**
     * A device asks for the file right after the async stage call and reads at 40 MiB/s; curl
     * reports when its first byte came and when it was done. Baselines: staging the same file
     * alone, and the same device reading it once staged.
     */
    private void stageAndServe() throws Exception {
        String file = "http://127.0.0.1:" + port + "/static/" + PATH + "/device.bin";
        Path staged = dir.resolve("srv/static/" + PATH + "/device.bin");
        double stageAlone = stage("files=device.bin");
        double[] readAlone = curlAt40(file);
        Files.delete(staged);
        BenchReport.timeShell("sync");
        long start = System.nanoTime();
        var accepted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stage?archive_url=" + URL
                + "&files=device.bin&async=True")).build(), HttpResponse.BodyHandlers.ofString());
        if (!accepted.body().equals("Success")) {
            throw new IllegalStateException(accepted.body());
        }
        double[] reading = curlAt40(file);
        double total = (System.nanoTime() - start) / 1e9;
        double firstByte = total - reading[1] + reading[0];
        if (Files.mismatch(staged, dir.resolve("data/device.bin")) != -1) {
            throw new IllegalStateException("the staged file differs from the object");
        }
        double longer = Math.max(stageAlone, readAlone[1]);
        BenchReport.line("stage-and-serve: 256 MiB, device reading at 40 MiB/s from the async stage call: first byte %.2f s (target < 1 s),"
                + " done %.2f s; stage alone %.2f s, reading a staged file alone %.2f s -> %.2fx the longer (target <= 1.2x; their sum %.2f s)",
                firstByte, total, stageAlone, readAlone[1], total / longer, stageAlone + readAlone[1]);
    }

    /** Memory with all eight streams busy: a 4 GiB object (sparse, so it costs no disk) sliced at -Xmx256m. */
    private void fourGibOverEightStreams(FakeGcs gcs, Path data, long serverPid) throws Exception {
        Path four = data.resolve("four.bin");
        BenchReport.timeShell("truncate -s 4G " + four);
        gcs.putFile(BUCKET, PATH + "/four.bin", four);
        int before = gcs.rangeStarts(BUCKET, PATH + "/four.bin").size();
        double seconds = stage("files=four.bin");
        int ranges = gcs.rangeStarts(BUCKET, PATH + "/four.bin").size() - before;
        BenchReport.line("sliced: 4 GiB in %.2f s over %d ranged requests (the probe and 8 slices) at -Xmx256m; server peak RSS %d MiB"
                + " (target < 400 MiB)", seconds, ranges, BenchReport.peakRssKb(serverPid) / 1024);
        Files.delete(dir.resolve("srv/static/" + PATH + "/four.bin"));
    }

    /** curl at 40 MiB/s: seconds to the first byte and in all, as curl measured them; fails on any error (a reset stream too). */
    private double[] curlAt40(String url) throws Exception {
        Process p = new ProcessBuilder("curl", "-sf", "--limit-rate", "40M", "-o", "/dev/null", "-w", "%{time_starttransfer} %{time_total}", url)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("curl failed: " + out);
        }
        String[] times = out.split(" ");
        return new double[] {Double.parseDouble(times[0]), Double.parseDouble(times[1])};
    }

    private double stage(String what) throws Exception {
        return BenchReport.timeStage(http, port, URL, what);
    }
}
