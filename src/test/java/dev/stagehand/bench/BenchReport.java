package dev.stagehand.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Prints benchmark figures and appends them to target/bench-results.txt. */
public final class BenchReport {
    private BenchReport() {}

    public static void line(String format, Object... args) {
        String text = String.format(format, args);
        System.out.println("BENCH " + text);
        try {
            Files.writeString(Path.of("target", "bench-results.txt"), text + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The middle value (the upper of the two middle ones for an even count). */
    public static double median(List<Double> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    public static double percentile(List<Long> values, double p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }

    /** Wall time of a blocking {@code /stage} call on the server at {@code port}, in seconds; fails unless it answers Success. */
    public static double timeStage(java.net.http.HttpClient http, int port, String archiveUrl, String what) throws Exception {
        long start = System.nanoTime();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/stage?archive_url="
                + archiveUrl + "&" + what)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        if (!r.body().equals("Success")) {
            throw new IllegalStateException(what + ": " + r.body());
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Wall time of a shell command in seconds; fails if it fails. */
    public static double timeShell(String command) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-c", command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("failed: " + command);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** The most resident memory the process has had (VmHWM), in KiB. */
    public static long peakRssKb(long pid) throws Exception {
        return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("VmHWM:")).map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1L);
    }
}
