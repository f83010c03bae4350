package dev.stagehand.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.stagehand.Settings;
import dev.stagehand.queue.JobQueue;
import dev.stagehand.staging.BuildBusy;
import dev.stagehand.staging.StageService;
import dev.stagehand.staging.StagingArea;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Javalin server: devserver RPCs, the JSON API, operator endpoints and {@code /static}. */
public final class HttpApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    private final Javalin app;

    private HttpApi(Javalin app) {
        this.app = app;
    }

    public static HttpApi start(Settings settings, StageService stage, JobQueue queue, StagingArea area, Clock clock) {
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        BuildAccess access = new BuildAccess(queue.builds(), clock);
        Javalin app = Javalin.create(config -> {
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(json, false));
            config.jetty.modifyServletContextHandler(handler -> StaticFiles.mount(handler, area, access::touch));
            new DevserverRoutes(stage).register(config.routes);
            new OperatorRoutes(stage, queue, area, clock).register(config.routes);
            new JsonApiRoutes(stage, queue, json).register(config.routes);
            config.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, "bad_request", e.getMessage()));
            config.routes.exception(JsonApiRoutes.NotFound.class, (e, ctx) -> error(ctx, 404, "not_found", e.getMessage()));
            config.routes.exception(BuildBusy.class, (e, ctx) -> error(ctx, 409, "conflict", e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("request {} failed", ctx.path(), e);
                error(ctx, 500, "internal", e.getClass().getSimpleName() + ": " + e.getMessage());
            });
            config.routes.error(404, ctx -> {
                // Replace Javalin's own "Endpoint ... not found" text; keep 404s our routes wrote.
                if (ctx.result() == null || ctx.result().startsWith("Endpoint ")) {
                    error(ctx, 404, "not_found", "no such endpoint: " + ctx.path());
                }
            });
        }).start(settings.host(), settings.port());
        return new HttpApi(app);
    }

    /** JSON for the /api/v1 callers; one plain line for devserver callers. */
    static void error(Context ctx, int status, String code, String message) {
        ctx.status(status);
        if (ctx.path().startsWith("/api/")) {
            ctx.json(new JsonApiRoutes.ApiError(code, message));
        } else {
            ctx.result(message == null ? code : message.replace('\n', ' '));
        }
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
