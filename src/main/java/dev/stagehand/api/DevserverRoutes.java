package dev.stagehand.api;

import dev.stagehand.queue.JobRecordView;
import dev.stagehand.queue.JobState;
import dev.stagehand.queue.Submission;
import dev.stagehand.staging.StageCommand;
import dev.stagehand.staging.StageService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The devserver's RPCs, with its literal answers ({@code Success}, {@code True}, {@code False})
 * that lab tooling compares against. Waiting callers hold no thread: the response is a future
 * completed when the required jobs end.
 */
final class DevserverRoutes {
    private final StageService stage;

    DevserverRoutes(StageService stage) {
        this.stage = stage;
    }

    void register(RoutesConfig routes) {
        both(routes, "/stage", ctx -> stage(ctx, Params.list(ctx, "artifacts")));
        both(routes, "/is_staged", this::isStaged);
        // Legacy RPCs, mapped to stage with the lists the devserver used.
        both(routes, "/download", ctx -> stage(ctx, List.of("full_payload", "test_suites", "stateful")));
        both(routes, "/wait_for_status", ctx -> stage(ctx, List.of("full_payload", "test_suites", "autotest", "stateful")));
        both(routes, "/stage_debug", ctx -> stage(ctx, List.of("symbols")));
        both(routes, "/stage_images", ctx -> stage(ctx, Params.list(ctx, "image_types").stream()
                .map(type -> type + "_image").toList()));
    }

    static void both(RoutesConfig routes, String path, Handler handler) {
        routes.get(path, handler);
        routes.post(path, handler);
    }

    private void stage(Context ctx, List<String> artifacts) throws Exception {
        Integer waitSeconds = Params.integer(ctx, "wait_for_upload_s");
        StageCommand cmd = new StageCommand(Params.required(ctx, "archive_url"), artifacts, Params.list(ctx, "files"),
                Params.bool(ctx, "clean"), waitSeconds == null ? null : Duration.ofSeconds(waitSeconds));
        boolean async = Params.bool(ctx, "async");
        if (!cmd.clean() && stage.isStaged(cmd.archiveUrl(), cmd.artifacts(), cmd.files()).staged()) {
            ctx.result("Success"); // a cache hit: answered from the tables, nothing to record
            return;
        }
        Submission submission = stage.submit(cmd);
        if (async) {
            ctx.result("Success");
            return;
        }
        ctx.future(() -> stage.awaitRequired(submission).thenAccept(jobs -> answer(ctx, jobs)));
    }

    private static void answer(Context ctx, List<JobRecordView> jobs) {
        List<JobRecordView> failed = jobs.stream().filter(j -> j.state() != JobState.SUCCEEDED).toList();
        if (failed.isEmpty()) {
            ctx.result("Success");
            return;
        }
        ctx.status(500).result(failed.stream()
                .map(j -> "Failed to stage " + j.artifact() + ": " + (j.lastError() == null ? j.state() : j.lastError()))
                .collect(Collectors.joining("\n")));
    }

    private void isStaged(Context ctx) {
        StageService.StagedStatus status = stage.isStaged(Params.required(ctx, "archive_url"),
                Params.list(ctx, "artifacts"), Params.list(ctx, "files"));
        if (!status.staged() && !status.failures().isEmpty()) {
            ctx.status(500).result(String.join("\n", status.failures()));
            return;
        }
        ctx.result(status.staged() ? "True" : "False");
    }
}
