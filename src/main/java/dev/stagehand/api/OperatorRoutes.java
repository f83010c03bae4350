package dev.stagehand.api;

import dev.stagehand.archive.BuildRef;
import dev.stagehand.common.CallerText;
import dev.stagehand.db.types.JobState;
import dev.stagehand.metrics.HostLoad;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Devserver read-only RPCs over the static dir, and the health report. */
final class OperatorRoutes {
    private final HttpApi.Services services;
    private final HttpMetrics http;
    private final Instant started;

    OperatorRoutes(HttpApi.Services services, HttpMetrics http) {
        this.services = services;
        this.http = http;
        this.started = services.clock().instant();
    }

    void register(RoutesConfig routes) {
        DevserverRoutes.both(routes, "/list_image_dir", this::listImageDir);
        DevserverRoutes.both(routes, "/latestbuild", this::latestBuild);
        DevserverRoutes.both(routes, "/controlfiles", this::controlFiles);
        routes.get("/check_health", this::health);
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(services.metrics().scrape()));
    }

    private void listImageDir(Context ctx) throws IOException {
        BuildRef build = services.stage().build(Params.required(ctx, "archive_url"));
        Optional<List<String>> listing = services.builds().listing(build);
        ctx.result(listing.map(lines -> String.join("\n", lines))
                .orElse(build.url().url() + " has not been staged on this devserver."));
    }

    private void latestBuild(Context ctx) throws IOException {
        String target = Params.required(ctx, "target");
        String milestone = Params.get(ctx, "milestone");
        String latest = services.builds().latest(target, milestone).orElseThrow(() -> new HttpApi.NotFound(
                "no staged build of " + CallerText.quote(target) + (milestone == null ? "" : " in " + CallerText.quote(milestone))));
        ctx.result(latest);
    }

    private void controlFiles(Context ctx) throws IOException {
        String build = Params.required(ctx, "build");
        String controlPath = Params.get(ctx, "control_path");
        if (controlPath != null) {
            ctx.result(services.controls().read(build, controlPath)
                    .orElseThrow(() -> new HttpApi.NotFound("no control file " + CallerText.quote(controlPath))));
            return;
        }
        List<String> files = services.controls().list(build, Params.get(ctx, "suite_name"))
                .orElseThrow(() -> new HttpApi.NotFound("build " + CallerText.quote(build) + " has no staged control files"));
        ctx.result(String.join("\n", files));
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private void health(Context ctx) throws IOException {
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("node", services.queue().node());
        long free = services.space().freeBytes();
        health.put("free_disk", free / (1L << 30));
        health.put("free_disk_bytes", free);
        health.put("staged_bytes", services.space().stagedBytes());
        health.put("max_staged_bytes", services.space().quota().maxStagedBytes());
        health.put("min_free_bytes", services.space().quota().minFreeBytes());
        Map<JobState, Integer> depth = services.ledger().countByState();
        health.put("staging_thread_count", depth.getOrDefault(JobState.RUNNING, 0));
        health.put("queue", depth);
        health.put("uptime_s", Duration.between(started, services.clock().instant()).toSeconds());
        // What autotest's get_least_loaded_devserver compares, over the last two seconds.
        HostLoad.Snapshot load = services.metrics().hostLoad();
        health.put("cpu_percent", round(load.cpuPercent()));
        health.put("network_sent_bytes_per_second", round(load.networkSentPerSecond()));
        health.put("network_recv_bytes_per_second", round(load.networkReceivedPerSecond()));
        health.put("network_total_bytes_per_second", round(load.networkTotalPerSecond()));
        health.put("disk_read_bytes_per_second", round(load.diskReadPerSecond()));
        health.put("disk_write_bytes_per_second", round(load.diskWrittenPerSecond()));
        health.put("disk_total_bytes_per_second", round(load.diskTotalPerSecond()));
        health.put("apache_client_count", (long) http.openConnections());
        health.put("gsutil_count", services.queue().runningHere());
        ctx.json(health);
    }
}
