package dev.stagehand.api;

import dev.stagehand.archive.BuildRef;
import dev.stagehand.common.CallerText;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** Devserver read-only RPCs over the static dir, and the health report. */
final class OperatorRoutes {
    private final HttpApi.Services services;
    private final HealthReport health;

    OperatorRoutes(HttpApi.Services services, HealthReport health) {
        this.services = services;
        this.health = health;
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
        BuildRef build = services.requests().build(Params.required(ctx, "archive_url"));
        services.readPlacement().requireServedHere(build.path());
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
        services.readPlacement().requireServedHere(build);
        if (controlPath != null) {
            ctx.result(services.controls().read(build, controlPath)
                    .orElseThrow(() -> new HttpApi.NotFound("no control file " + CallerText.quote(controlPath))));
            return;
        }
        List<String> files = services.controls().list(build, Params.get(ctx, "suite_name"))
                .orElseThrow(() -> new HttpApi.NotFound("build " + CallerText.quote(build) + " has no staged control files"));
        ctx.result(String.join("\n", files));
    }

    /** Timed: the labs' clients take a slow check_health for a sick server (the alert rules watch it). */
    private void health(Context ctx) throws IOException {
        long started = System.nanoTime();
        ctx.json(health.report());
        io.micrometer.core.instrument.Timer.builder("stagehand_check_health").description("Time to answer /check_health")
                .publishPercentileHistogram().register(services.metrics().registry())
                .record(java.time.Duration.ofNanos(System.nanoTime() - started));
    }
}
