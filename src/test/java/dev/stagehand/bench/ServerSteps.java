package dev.stagehand.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The server's own timers of a new job's way to its first byte at a reader (stagehand_job_start_step), read from /metrics. */
final class ServerSteps {
    static final List<String> STEPS = List.of("fired", "claimed", "metadata", "first_byte_on_disk", "reader_woken");
    private static final Pattern STEP = Pattern.compile("stagehand_job_start_step_seconds_sum\\{[^}]*step=\"(\\w+)\"[^}]*} ([0-9.eE+-]+)");

    private ServerSteps() {}

    /** Each step's summed seconds so far. */
    static Map<String, Double> read(HttpClient http, int port) {
        Map<String, Double> sums = new LinkedHashMap<>();
        try {
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = STEP.matcher(metrics);
            while (m.find()) {
                sums.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        } catch (Exception e) {
            // none yet
        }
        return sums;
    }

    /** " fired +12 ms, claimed +3 ms, ..." between two readings. */
    static String between(Map<String, Double> before, Map<String, Double> after) {
        StringBuilder breakdown = new StringBuilder();
        for (String step : STEPS) {
            breakdown.append(String.format(" %s +%.0f ms,", step, (after.getOrDefault(step, 0.0) - before.getOrDefault(step, 0.0)) * 1000));
        }
        return breakdown.toString();
    }
}
