package dev.stagehand.api;

import dev.stagehand.common.TaskIds;
import dev.stagehand.api.http.CacheResults;
import dev.stagehand.db.types.JobState;
import dev.stagehand.queue.JobView;
import dev.stagehand.queue.Submission;
import dev.stagehand.staging.CacheResult;
import dev.stagehand.staging.StageRequest;
import dev.stagehand.staging.StageRequests;
import dev.stagehand.staging.StageService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The devserver's RPCs, with its literal answers ({@code Success}, {@code True}, {@code False})
 * that lab tooling compares against. Waiting callers hold no thread: the response is a future
 * completed when the request's outcome is decided.
 */
final class DevserverRoutes {
    private final StageRequests requests;
    private final StageService stage;
    private final CallerRules rules;
    private final CacheResults results;

    DevserverRoutes(StageRequests requests, StageService stage, CallerRules rules, CacheResults results) {
        this.requests = requests;
        this.stage = stage;
        this.rules = rules;
        this.results = results;
    }

    void register(RoutesConfig routes) {
        both(routes, "/stage", ctx -> stage(ctx, "stage", Params.list(ctx, "artifacts")));
        both(routes, "/is_staged", this::isStaged);
        // Legacy RPCs, mapped to stage with the lists the devserver used ("download" names the caching protocol's).
        both(routes, "/download", ctx -> stage(ctx, "devserver_download", List.of("full_payload", "test_suites", "stateful")));
        both(routes, "/wait_for_status", ctx -> stage(ctx, "wait_for_status", List.of("full_payload", "test_suites", "autotest", "stateful")));
        both(routes, "/stage_debug", ctx -> stage(ctx, "stage_debug", List.of("symbols")));
        both(routes, "/stage_images", ctx -> stage(ctx, "stage_images", Params.list(ctx, "image_types").stream()
                .map(type -> type + "_image").toList()));
    }

    static void both(RoutesConfig routes, String path, Handler handler) {
        routes.get(path, handler);
        routes.post(path, handler);
    }

    private void stage(Context ctx, String rpc, List<String> artifacts) throws Exception {
        StageRequest req = requests.request(Params.required(ctx, "archive_url"), artifacts, Params.list(ctx, "files"))
                .by(TaskIds.fromHeaders(ctx::header));
        Integer waitSeconds = Params.integer(ctx, "wait_for_upload_s");
        boolean clean = Params.bool(ctx, "clean");
        boolean async = Params.bool(ctx, "async");
        if (clean) {
            rules.requireAdmin(ctx, "clean=True");
        }
        if (!clean && stage.isStaged(req).staged()) {
            results.count(rpc, CacheResult.HIT);
            ctx.result("Success"); // a cache hit: answered from the tables, nothing to record
            return;
        }
        CompletableFuture<Submission> recorded = stage.submit(req, clean, waitSeconds == null ? null : Duration.ofSeconds(waitSeconds))
                .thenApply(submission -> {
                    results.count(rpc, CacheResult.ofRecorded(submission.createdJobs()));
                    return submission;
                });
        if (async) { // Success once the request is durable
            ctx.future(() -> recorded.thenAccept(submission -> ctx.result("Success")));
            return;
        }
        ctx.future(() -> recorded.thenCompose(stage::awaitFailures).thenAccept(jobs -> answer(ctx, jobs)));
    }

    private static void answer(Context ctx, List<JobView> jobs) {
        String failures = failures(jobs);
        if (failures.isEmpty()) {
            ctx.result("Success");
        } else {
            ctx.status(500).result(failures);
        }
    }

    /**
     * What failed among a request's required jobs, as one line (the lab client turns the body of an
     * error into its exception message); empty when all succeeded.
     */
    static String failures(List<JobView> jobs) {
        return jobs.stream().filter(j -> j.state() != JobState.SUCCEEDED)
                .map(j -> "Failed to stage " + j.artifact() + ": " + (j.lastError() == null ? j.state() : j.lastError()))
                .collect(Collectors.joining("; ")).replace('\n', ' ');
    }

    private void isStaged(Context ctx) {
        StageRequest req = requests.request(Params.required(ctx, "archive_url"), Params.list(ctx, "artifacts"),
                Params.list(ctx, "files"));
        StageService.StagedStatus status = stage.isStaged(req);
        if (!status.staged() && !status.failures().isEmpty()) {
            ctx.status(500).result(String.join("; ", status.failures()).replace('\n', ' '));
            return;
        }
        ctx.result(status.staged() ? "True" : "False");
    }
}
