package dev.stagehand.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.common.TaskIds;
import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import dev.stagehand.db.types.JobState;
import dev.stagehand.queue.JobFilter;
import dev.stagehand.queue.JobQueue;
import dev.stagehand.queue.JobView;
import dev.stagehand.queue.Ledger;
import dev.stagehand.queue.RequestView;
import dev.stagehand.queue.Submission;
import dev.stagehand.staging.StageRequest;
import dev.stagehand.staging.StageRequests;
import dev.stagehand.staging.StageService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON API under /api/v1 for new callers; described by /api/v1/openapi.json. */
final class JsonApiRoutes {
    private final StageRequests requests;
    private final StageService stage;
    private final JobQueue queue;
    private final Ledger ledger;
    private final ObjectMapper json;
    private final Clock clock;
    private final CallerRules rules;

    JsonApiRoutes(StageRequests requests, StageService stage, JobQueue queue, Ledger ledger, ObjectMapper json, Clock clock, CallerRules rules) {
        this.requests = requests;
        this.rules = rules;
        this.stage = stage;
        this.queue = queue;
        this.ledger = ledger;
        this.json = json;
        this.clock = clock;
    }

    /** Items a listing returns unless {@code limit} says otherwise, and the most it returns at once. */
    static final int DEFAULT_PAGE = 100;
    static final int MOST_PER_PAGE = 1000;

    record ApiError(String error, String message) {}

    void register(RoutesConfig routes) {
        routes.post("/api/v1/stage", this::stage);
        routes.get("/api/v1/requests/{id}", ctx -> ctx.json(request(id(ctx))));
        routes.get("/api/v1/jobs", this::listJobs);
        routes.get("/api/v1/jobs/{id}", ctx -> ctx.json(JobJson.of(find(id(ctx)), ledger.attempts(id(ctx)), clock)));
        routes.post("/api/v1/jobs/{id}/retry", ctx -> transition(ctx, queue.retry(find(id(ctx)).id()), "only a FAILED job can be retried"));
        routes.post("/api/v1/jobs/{id}/cancel", ctx -> transition(ctx, queue.cancel(find(id(ctx)).id()), "only an active job can be cancelled"));
        routes.get("/api/v1/builds", ctx -> ctx.json(ledger.builds(limit(ctx), offset(ctx)).stream().map(BuildJson::of).toList()));
        routes.get("/api/v1/evictions", ctx -> ctx.json(ledger.evictions(limit(ctx)).stream().map(EvictionJson::of).toList()));
        routes.get("/api/v1/nodes", ctx -> ctx.json(ledger.nodes(limit(ctx)).stream().map(NodeJson::of).toList()));
        routes.post("/api/v1/nodes/{id}/drain", this::drain);
        routes.get("/api/v1/openapi.json", this::openApi);
    }

    private void stage(Context ctx) throws IOException {
        StageBody body = StageBody.parse(json, ctx.body());
        if (body.clean()) {
            rules.requireAdmin(ctx, "clean");
        }
        StageRequest req = requests.request(body.archiveUrl(), body.artifacts(), body.files()).by(TaskIds.fromHeaders(ctx::header));
        var recorded = stage.submit(req, body.clean(), body.waitForUpload());
        if (!body.waitForJobs()) {
            ctx.future(() -> recorded.thenAccept(submission -> ctx.status(202).json(request(submission.requestId()))));
            return;
        }
        ctx.future(() -> recorded.thenCompose(submission -> stage.awaitFailures(submission)
                .thenAccept(done -> ctx.json(request(submission.requestId())))));
    }

    /** DRAIN: the node takes no new builds; its running jobs finish and what it holds stays readable until it stops. */
    private void drain(Context ctx) {
        String id = ctx.pathParam("id");
        switch (queue.drain(id)) {
            case SHARED_VOLUME -> HttpApi.error(ctx, 409, "conflict",
                    "drain takes a node out of the ring of --placement hashed; these nodes share one volume");
            case NO_SUCH_NODE -> throw new HttpApi.NotFound("no running node " + CallerText.quote(id));
            case DRAINING -> ctx.json(NodeJson.of(ledger.nodeById(id).orElseThrow()));
        }
    }

    private RequestJson request(long id) {
        RequestView request = ledger.request(id).orElseThrow(() -> new HttpApi.NotFound("no request " + id));
        Map<Long, Boolean> required = new HashMap<>();
        request.jobs().forEach(l -> required.put(l.jobId(), l.required()));
        List<JobView> jobs = ledger.jobs(required.keySet());
        String url = jobs.isEmpty() ? null : jobs.get(0).archiveUrl();
        return new RequestJson(id, request.outcome(), url, request.createdAt(), request.finishedAt(), request.task().swarmingTaskId(),
                request.task().bbid(), jobs.stream().map(j -> JobJson.of(j, required.get(j.id()), null, clock)).toList());
    }

    private void listJobs(Context ctx) {
        String state = Params.get(ctx, "state");
        JobState wanted = null;
        if (state != null) {
            try {
                wanted = JobState.valueOf(state.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequest("unknown state " + CallerText.quote(state) + "; one of " + List.of(JobState.values()));
            }
        }
        JobFilter filter = new JobFilter(wanted, Params.get(ctx, "archive_url"), limit(ctx), offset(ctx));
        ctx.json(ledger.jobs(filter).stream().map(j -> JobJson.of(j, null, clock)).toList());
    }

    /** {@code limit}: {@link #DEFAULT_PAGE} unless given, at most {@link #MOST_PER_PAGE}. */
    private static int limit(Context ctx) {
        Integer limit = Params.integer(ctx, "limit");
        return limit == null ? DEFAULT_PAGE : Math.min(limit, MOST_PER_PAGE);
    }

    private static int offset(Context ctx) {
        Integer offset = Params.integer(ctx, "offset");
        return offset == null ? 0 : offset;
    }

    private JobView find(long id) {
        return ledger.job(id).orElseThrow(() -> new HttpApi.NotFound("no job " + id));
    }

    private void transition(Context ctx, boolean done, String refusal) {
        if (!done) {
            HttpApi.error(ctx, 409, "conflict", refusal);
            return;
        }
        ctx.json(JobJson.of(find(id(ctx)), null, clock));
    }

    private static long id(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new InvalidRequest("id must be a number: " + CallerText.quote(ctx.pathParam("id")));
        }
    }

    private void openApi(Context ctx) throws IOException {
        try (InputStream in = JsonApiRoutes.class.getResourceAsStream("/openapi.json")) {
            ctx.contentType("application/json").result(in.readAllBytes());
        }
    }
}
