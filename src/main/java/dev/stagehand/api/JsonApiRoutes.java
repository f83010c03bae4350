package dev.stagehand.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.queue.JobQueue;
import dev.stagehand.queue.JobRecordView;
import dev.stagehand.queue.JobState;
import dev.stagehand.queue.RequestView;
import dev.stagehand.queue.Submission;
import dev.stagehand.staging.InvalidRequest;
import dev.stagehand.staging.StageCommand;
import dev.stagehand.staging.StageService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/** The JSON API under /api/v1 for new callers; described by /api/v1/openapi.json. */
final class JsonApiRoutes {
    private final StageService stage;
    private final JobQueue queue;
    private final ObjectMapper json;

    JsonApiRoutes(StageService stage, JobQueue queue, ObjectMapper json) {
        this.stage = stage;
        this.queue = queue;
        this.json = json;
    }

    record ApiError(String error, String message) {}

    record StageBody(@JsonProperty("archive_url") String archiveUrl, List<String> artifacts, List<String> files,
            @JsonProperty("wait") Boolean waitForJobs, Boolean clean, @JsonProperty("wait_for_upload_s") Integer waitForUploadSeconds) {}

    record JobJson(long id, String artifact, boolean required, String state, int attempts,
            @JsonProperty("bytes_done") long bytesDone, @JsonProperty("bytes_total") Long bytesTotal, String error,
            @JsonProperty("archive_url") String archiveUrl, List<Map<String, Object>> history) {}

    record RequestJson(long id, String outcome, @JsonProperty("archive_url") String archiveUrl, List<JobJson> jobs) {}

    void register(RoutesConfig routes) {
        routes.post("/api/v1/stage", this::stage);
        routes.get("/api/v1/requests/{id}", ctx -> ctx.json(request(id(ctx))));
        routes.get("/api/v1/jobs", this::listJobs);
        routes.get("/api/v1/jobs/{id}", ctx -> ctx.json(job(find(id(ctx)), queue.history().attempts(id(ctx)))));
        routes.post("/api/v1/jobs/{id}/retry", ctx -> transition(ctx, queue.retry(find(id(ctx)).id()), "only a FAILED job can be retried"));
        routes.post("/api/v1/jobs/{id}/cancel", ctx -> transition(ctx, queue.cancel(find(id(ctx)).id()), "only an active job can be cancelled"));
        routes.get("/api/v1/openapi.json", this::openApi);
    }

    private void stage(Context ctx) throws IOException {
        StageBody body;
        try {
            body = json.readValue(ctx.body(), StageBody.class);
        } catch (IOException e) {
            throw new InvalidRequest("request body is not valid JSON for a stage request: " + e.getMessage().lines().findFirst().orElse(""));
        }
        StageCommand cmd = new StageCommand(body.archiveUrl(), body.artifacts(), body.files(), Boolean.TRUE.equals(body.clean()),
                body.waitForUploadSeconds() == null ? null : java.time.Duration.ofSeconds(body.waitForUploadSeconds()));
        Submission submission = stage.submit(cmd);
        if (!Boolean.TRUE.equals(body.waitForJobs())) {
            ctx.status(202).json(request(submission.requestId()));
            return;
        }
        ctx.future(() -> stage.awaitRequired(submission).thenAccept(done -> ctx.json(request(submission.requestId()))));
    }

    private RequestJson request(long id) {
        RequestView request = queue.requests().find(id).orElseThrow(() -> new NotFound("no request " + id));
        Map<Long, Boolean> required = new java.util.HashMap<>();
        request.jobs().forEach(l -> required.put(l.jobId(), l.required()));
        List<JobRecordView> jobs = queue.jobs().findAll(required.keySet());
        String url = jobs.isEmpty() ? null : jobs.get(0).archiveUrl();
        return new RequestJson(id, request.outcome(), url,
                jobs.stream().map(j -> job(j, required.get(j.id()), null)).toList());
    }

    private static JobJson job(JobRecordView j, List<Map<String, Object>> attempts) {
        return job(j, j.required(), attempts);
    }

    /** {@code required} is per request for a request's jobs, the job's own flag elsewhere. */
    private static JobJson job(JobRecordView j, boolean required, List<Map<String, Object>> attempts) {
        return new JobJson(j.id(), j.artifact(), required, j.state().name(), j.attempts(), j.bytesDone(), j.bytesTotal(),
                j.lastError(), j.archiveUrl(), attempts);
    }

    private void listJobs(Context ctx) {
        String state = Params.get(ctx, "state");
        if (state != null) {
            try {
                JobState.valueOf(state.toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new InvalidRequest("unknown state '" + state + "'; one of " + List.of(JobState.values()));
            }
        }
        Integer limit = Params.integer(ctx, "limit");
        Integer offset = Params.integer(ctx, "offset");
        ctx.json(queue.history().list(state == null ? null : state.toUpperCase(), Params.get(ctx, "archive_url"),
                limit == null ? 100 : Math.min(limit, 1000), offset == null ? 0 : offset)
                .stream().map(j -> job(j, null)).toList());
    }

    private JobRecordView find(long id) {
        return queue.jobs().find(id).orElseThrow(() -> new NotFound("no job " + id));
    }

    private void transition(Context ctx, boolean done, String refusal) {
        if (!done) {
            HttpApi.error(ctx, 409, "conflict", refusal);
            return;
        }
        ctx.json(job(find(id(ctx)), null));
    }

    private static long id(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new InvalidRequest("id must be a number: " + ctx.pathParam("id"));
        }
    }

    private void openApi(Context ctx) throws IOException {
        try (InputStream in = JsonApiRoutes.class.getResourceAsStream("/openapi.json")) {
            ctx.contentType("application/json").result(in.readAllBytes());
        }
    }

    /** A missing request or job (404). */
    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }
}
