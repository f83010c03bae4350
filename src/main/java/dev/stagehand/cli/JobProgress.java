package dev.stagehand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stagehand.db.types.JobState;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * How the jobs of a stage request are shown while they run: a progress bar per job on a
 * terminal, one plain line per change otherwise (a log, a CI job, a pipe).
 */
interface JobProgress extends AutoCloseable {
    /** The jobs as the JSON API gives them; called on every poll. */
    void show(JsonNode jobs);

    @Override
    void close();

    static JobProgress on(PrintStream out, boolean terminal) {
        return terminal ? new Bars(out) : new Lines(out);
    }

    /** "stateful RUNNING 12.0 MiB of 96.0 MiB (12%), 24.0 MiB/s, 3 s left", and the error of one that did not succeed. */
    static String describe(JsonNode job) {
        String state = job.path("state").asText();
        StringBuilder line = new StringBuilder(job.path("artifact").asText()).append(' ').append(state);
        String progress = JobText.progress(job);
        if (!progress.isEmpty()) {
            line.append(' ').append(progress);
        }
        String rate = JobText.rate(job);
        if (!rate.isEmpty()) {
            line.append(", ").append(rate);
        }
        String eta = JobText.eta(job);
        if (!eta.isEmpty()) {
            line.append(", ").append(eta).append(" left");
        }
        if (job.hasNonNull("error") && !state.equals(JobState.SUCCEEDED.name())) {
            line.append(": ").append(job.get("error").asText());
        }
        return line.toString();
    }

    /** One line per job whenever what it would say changes. */
    final class Lines implements JobProgress {
        private final PrintStream out;
        private final Map<Long, String> last = new HashMap<>();

        Lines(PrintStream out) {
            this.out = out;
        }

        @Override
        public void show(JsonNode jobs) {
            for (JsonNode job : jobs) {
                String line = describe(job);
                if (!line.equals(last.put(job.path("id").asLong(), line))) {
                    out.println(line);
                }
            }
            out.flush();
        }

        @Override
        public void close() {}
    }

    /** A bar per job (bytes, rate, ETA) drawn by the progressbar library. */
    final class Bars implements JobProgress {
        private static final long MIB = 1 << 20;
        private final Map<Long, ProgressBar> bars = new LinkedHashMap<>();
        private final PrintStream out;

        Bars(PrintStream out) {
            this.out = out;
        }

        @Override
        public void show(JsonNode jobs) {
            for (JsonNode job : jobs) {
                ProgressBar bar = bars.computeIfAbsent(job.path("id").asLong(), id -> ProgressBar.builder()
                        .setTaskName(job.path("artifact").asText()).setInitialMax(-1).setUnit(" MiB", MIB).showSpeed()
                        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(250)
                        // the stream the terminal check was made on (the library's default is stderr)
                        .setConsumer(new InteractiveConsoleProgressBarConsumer(out)).build());
                if (job.hasNonNull("bytes_total")) {
                    bar.maxHint(job.get("bytes_total").asLong());
                }
                bar.stepTo(job.path("bytes_done").asLong());
                String state = job.path("state").asText();
                bar.setExtraMessage(state.equals(JobState.RUNNING.name()) ? "" : " " + state); // apart from the speed before it
            }
        }

        @Override
        public void close() {
            bars.values().forEach(ProgressBar::close);
        }
    }
}
