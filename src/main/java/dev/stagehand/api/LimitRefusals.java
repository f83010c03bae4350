package dev.stagehand.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stagehand.common.LimitReached;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Which caller limits were hit lately, for the status page: refusals per flag over the last minute. */
final class LimitRefusals {
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final Clock clock;
    private final Map<String, List<Instant>> refused = new TreeMap<>();

    LimitRefusals(Clock clock) {
        this.clock = clock;
    }

    record Hit(String flag, @JsonProperty("refused_last_minute") int refusedLastMinute, @JsonProperty("last_refused_at") Instant last) {}

    synchronized void record(LimitReached e) {
        Instant now = clock.instant();
        List<Instant> times = refused.computeIfAbsent(e.limit(), flag -> new ArrayList<>());
        times.add(now);
        prune(times, now);
    }

    /** The limits refused within the last minute, by flag. */
    synchronized List<Hit> lately() {
        Instant now = clock.instant();
        List<Hit> hits = new ArrayList<>();
        refused.forEach((flag, times) -> {
            prune(times, now);
            if (!times.isEmpty()) {
                hits.add(new Hit(flag, times.size(), times.get(times.size() - 1)));
            }
        });
        return hits;
    }

    private static void prune(List<Instant> times, Instant now) {
        times.removeIf(t -> t.isBefore(now.minus(WINDOW)));
        while (times.size() > 10_000) { // a flood of refusals costs bounded memory
            times.remove(0);
        }
    }
}
