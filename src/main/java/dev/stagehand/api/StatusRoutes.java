package dev.stagehand.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stagehand.db.types.JobState;
import dev.stagehand.queue.JobFilter;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The status page at {@code /} (HTML, JavaScript and CSS from the jar: labs have no internet) and
 * {@code /api/v1/status}, the one document the page polls every second and {@code stagehand
 * status} prints: the queue now, running jobs with their progress, what waits, failures of the
 * last 24 hours, builds, disk and health.
 */
final class StatusRoutes {
    private static final Map<String, String> ASSETS = Map.of(
            "status.js", "text/javascript; charset=utf-8",
            "status.css", "text/css; charset=utf-8");
    private static final Duration FAILURE_WINDOW = Duration.ofHours(24);
    /** How many of each the page lists: it is a glance, the JSON API pages through the rest. */
    private static final int MOST_RUNNING = 100;
    private static final int MOST_WAITING = 50;
    private static final int MOST_FAILURES = 20;
    private static final int MOST_BUILDS = 20;
    private static final int MOST_NODES = 20;
    /** What the page lists as waiting: queued, waiting for a retry, or for an upload. */
    private static final Set<JobState> WAITING = java.util.EnumSet.of(JobState.QUEUED, JobState.RETRY_WAIT, JobState.WAITING_UPLOAD);

    private final HttpApi.Services services;
    private final HealthReport health;
    private final LimitRefusals refusals;

    StatusRoutes(HttpApi.Services services, HealthReport health, LimitRefusals refusals) {
        this.services = services;
        this.health = health;
        this.refusals = refusals;
    }

    void register(RoutesConfig routes) {
        routes.get("/", ctx -> asset(ctx, "index.html", "text/html; charset=utf-8"));
        routes.get("/ui/{file}", ctx -> {
            String type = ASSETS.get(ctx.pathParam("file"));
            if (type == null) {
                throw new HttpApi.NotFound("no such file");
            }
            asset(ctx, ctx.pathParam("file"), type);
        });
        routes.get("/api/v1/status", ctx -> ctx.json(status()));
    }

    private static void asset(Context ctx, String name, String type) throws IOException {
        try (InputStream in = StatusRoutes.class.getResourceAsStream("/ui/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks ui/" + name);
            }
            ctx.contentType(type).header("Cache-Control", "no-cache").result(in.readAllBytes());
        }
    }

    /** The document; field order is the page's order. */
    record StatusJson(String node, @JsonProperty("generated_at") Instant generatedAt, Map<String, Integer> queue,
            List<JobJson> running, List<JobJson> waiting, List<JobJson> failures, List<BuildJson> builds,
            Map<String, Object> health, @JsonProperty("limits_hit") List<LimitRefusals.Hit> limitsHit, List<NodeJson> nodes) {}

    StatusJson status() throws IOException {
        Instant now = services.clock().instant();
        Instant since = now.minus(FAILURE_WINDOW);
        var ledger = services.ledger();
        Map<JobState, Integer> depth = ledger.countByState();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (JobState state : List.of(JobState.RUNNING, JobState.QUEUED, JobState.RETRY_WAIT, JobState.WAITING_UPLOAD)) {
            counts.put(state.name(), depth.getOrDefault(state, 0));
        }
        counts.put("FAILED_LAST_24H", ledger.countEndedSince(JobState.FAILED, since));
        return new StatusJson(ledger.nodeId(), now, counts,
                jobs(JobFilter.inStates(Set.of(JobState.RUNNING), MOST_RUNNING)),
                jobs(JobFilter.inStates(WAITING, MOST_WAITING)),
                jobs(JobFilter.endedSince(JobState.FAILED, since, MOST_FAILURES)),
                ledger.builds(MOST_BUILDS, 0).stream().map(BuildJson::of).toList(),
                health.report(depth), refusals.lately(),
                services.ledger().nodes(MOST_NODES).stream().map(NodeJson::of).toList());
    }

    private List<JobJson> jobs(JobFilter filter) {
        return services.ledger().jobs(filter).stream().map(j -> JobJson.of(j, null, services.clock())).toList();
    }
}
