package dev.stagehand.api;

import dev.stagehand.common.TaskIds;
import dev.stagehand.archive.BuildRef;
import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import dev.stagehand.queue.JobView;
import dev.stagehand.staging.StageRequest;
import dev.stagehand.staging.StageService;
import dev.stagehand.staging.lab.XBuddy;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The rest of what autotest's devserver client calls: whole suites of control files, xbuddy
 * names (LATEST builds) and downloads by them, a file an artifact installed, and the telemetry
 * sources. Waiting callers hold no thread, as for /stage.
 */
final class LabRoutes {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LabRoutes.class);
    private final HttpApi.Services services;
    private final XBuddy xbuddy;

    LabRoutes(HttpApi.Services services) {
        this.services = services;
        this.xbuddy = services.xbuddy();
    }

    void register(RoutesConfig routes) {
        DevserverRoutes.both(routes, "/list_suite_controls", this::listSuiteControls);
        DevserverRoutes.both(routes, "/xbuddy_translate/<path>", this::xbuddyTranslate);
        DevserverRoutes.both(routes, "/xbuddy/<path>", this::xbuddy);
        DevserverRoutes.both(routes, "/locate_file", this::locateFile);
        DevserverRoutes.both(routes, "/setup_telemetry", this::setupTelemetry);
    }

    private void listSuiteControls(Context ctx) throws Exception {
        String build = Params.required(ctx, "build");
        String suite = Params.required(ctx, "suite_name");
        services.readPlacement().requireServedHere(build);
        ctx.json(services.controls().suite(build, suite)
                .orElseThrow(() -> new HttpApi.NotFound("build " + CallerText.quote(build) + " has no staged control files")));
    }

    private void xbuddyTranslate(Context ctx) throws Exception {
        ctx.contentType("text/plain").result(translate(ctx).path());
    }

    /** Stages the image an xbuddy path names, then redirects to it (or answers its build's place). */
    private void xbuddy(Context ctx) throws Exception {
        XBuddy.Translation t = translate(ctx);
        boolean returnDir = Params.bool(ctx, "return_dir");
        boolean relativePath = Params.bool(ctx, "relative_path");
        if (returnDir && relativePath) {
            throw new InvalidRequest("give return_dir or relative_path, not both");
        }
        StageRequest req = services.requests().request(t.archiveUrl(), List.of(t.image().artifact), List.of())
                .by(TaskIds.fromHeaders(ctx::header));
        ctx.future(() -> staged(req).thenAccept(done -> {
            if (relativePath) {
                ctx.result(t.buildPath());
            } else if (returnDir) {
                ctx.result(ctx.scheme() + "://" + ctx.host() + "/static/" + t.buildPath());
            } else {
                ctx.redirect("/static/" + t.buildPath() + "/" + t.image().file, io.javalin.http.HttpStatus.FOUND);
            }
        }).exceptionally(failure -> failed(ctx, failure)));
    }

    private XBuddy.Translation translate(Context ctx) throws Exception {
        try {
            return xbuddy.translate(ctx.pathParam("path"), Params.get(ctx, "image_dir"));
        } catch (XBuddy.NotFound e) {
            throw new HttpApi.NotFound(e.getMessage());
        }
    }

    private void locateFile(Context ctx) {
        String build = services.builds().callerBuildPath(Params.required(ctx, "build"));
        String file = Params.required(ctx, "file_name");
        String artifact = Params.required(ctx, "artifacts").split(",")[0].strip();
        services.readPlacement().requireServedHere(build);
        ctx.result(services.files().locate(build, artifact, file).orElseThrow(() -> new HttpApi.NotFound(
                "no file " + CallerText.quote(file) + " staged by " + CallerText.quote(artifact) + " in " + CallerText.quote(build))));
    }

    /** autotest_packages staged first, then the telemetry sources unpacked from it, once. */
    private void setupTelemetry(Context ctx) {
        BuildRef build = services.requests().build(Params.required(ctx, "archive_url"));
        services.readPlacement().requireHome(build.path()); // it answers a directory on the machine that has the files
        TaskIds task = TaskIds.fromHeaders(ctx::header);
        StageRequest packages = services.requests().request(build.url().url(), List.of("autotest_packages"), List.of()).by(task);
        ctx.future(() -> staged(packages)
                .thenCompose(done -> staged(services.requests().telemetryRequest(build).by(task)))
                .thenAccept(done -> ctx.contentType("text/plain").result(services.files().telemetryDir(build)))
                .exceptionally(failure -> failed(ctx, failure)));
    }

    /** Completes once the request is staged (at once if it is already); fails naming what failed. */
    private CompletableFuture<Void> staged(StageRequest req) {
        StageService stage = services.stage();
        if (stage.isStaged(req).staged()) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            return stage.submit(req, false, null).thenCompose(stage::awaitFailures).thenAccept(LabRoutes::requireSuccess);
        } catch (java.io.IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void requireSuccess(List<JobView> jobs) {
        String failures = DevserverRoutes.failures(jobs);
        if (!failures.isEmpty()) {
            throw new StagingFailed(failures);
        }
    }

    private static Void failed(Context ctx, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (!(cause instanceof StagingFailed)) {
            log.error("request {} failed", CallerText.escape(ctx.path()), cause);
        }
        String message = cause instanceof StagingFailed ? cause.getMessage() : "internal error; the server log has the details";
        ctx.status(500).contentType("text/plain").result(message);
        return null;
    }

    /** The artifacts a lab call needs could not be staged (HTTP 500 naming them, as for /stage). */
    private static final class StagingFailed extends RuntimeException {
        StagingFailed(String message) {
            super(message);
        }
    }
}
