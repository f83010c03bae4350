package dev.stagehand.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.stagehand.api.http.CacheResults;
import dev.stagehand.api.http.HttpMetrics;
import dev.stagehand.api.http.LandingStreams;
import dev.stagehand.api.http.Limits;
import dev.stagehand.api.http.ObjectDownloads;
import dev.stagehand.api.http.PlacedReads;
import dev.stagehand.api.http.StaticFiles;
import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import dev.stagehand.common.LimitReached;
import dev.stagehand.metrics.Metrics;
import dev.stagehand.queue.JobQueue;
import dev.stagehand.queue.Ledger;
import dev.stagehand.staging.ActiveReads;
import dev.stagehand.staging.BuildBusy;
import dev.stagehand.staging.BuildFiles;
import dev.stagehand.staging.DiskSpace;
import dev.stagehand.staging.HeldElsewhere;
import dev.stagehand.staging.LandingFiles;
import dev.stagehand.staging.ObjectCache;
import dev.stagehand.staging.ReadPlacement;
import dev.stagehand.staging.StageRequests;
import dev.stagehand.staging.StageService;
import dev.stagehand.staging.StagingArea;
import dev.stagehand.staging.StaticReads;
import dev.stagehand.staging.lab.ControlFiles;
import dev.stagehand.staging.lab.StagedBuilds;
import dev.stagehand.staging.lab.XBuddy;
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
    static final String NODE_HEADER = "X-Stagehand-Node";

    private final Javalin app;
    private final LandingStreams landing;

    private final HealthReport health;

    private HttpApi(Javalin app, LandingStreams landing, HealthReport health) {
        this.app = app;
        this.landing = landing;
        this.health = health;
    }

    /** What the routes work with: they read the queue through {@code ledger}; {@code queue} is only for the operator's moves (retry, cancel, drain). */
    public record Services(StageRequests requests, StageService stage, BuildFiles files, JobQueue queue, Ledger ledger, StagingArea area, DiskSpace space,
            ActiveReads reads, LandingFiles landing, StagedBuilds builds, ControlFiles controls, XBuddy xbuddy, StaticReads staticReads,
            ObjectCache objects, ReadPlacement readPlacement, boolean proxyReads, Metrics metrics, Clock clock, java.nio.file.Path adminTokenFile) {}

    public static HttpApi start(String host, int port, Services services) throws java.io.IOException {
        CallerRules rules = CallerRules.fromFile(services.adminTokenFile());
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        HttpMetrics httpMetrics = new HttpMetrics(services.metrics().registry());
        LandingStreams landing = new LandingStreams(services.landing(), services.files(), services.area().root(), services.clock());
        HealthReport health = new HealthReport(services, httpMetrics);
        Javalin app = Javalin.create(config -> {
            config.http.compressionStrategy = CompressionStrategy.NONE;
            httpMetrics.instrument(config);
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(json, false));
            Limits.apply(config);
            allowPercentInNames(config);
            PlacedReads placed = new PlacedReads(services.proxyReads());
            config.jetty.modifyServletContextHandler(handler -> StaticFiles.mount(handler, services.area(), services.staticReads(),
                    services.reads(), services.stage().access()::fileRead, landing, services.readPlacement(), placed));
            config.jetty.modifyServletContextHandler(handler -> ObjectDownloads.mount(handler, services.objects(),
                    services.metrics().registry(), placed));
            // With several nodes behind one name, callers and operators can tell which one answered.
            String node = services.ledger().nodeId();
            config.routes.before(ctx -> ctx.header(NODE_HEADER, node));
            config.routes.before(rules::check);
            new DevserverRoutes(services.requests(), services.stage(), rules, new CacheResults(services.metrics().registry())).register(config.routes);
            LimitRefusals refusals = new LimitRefusals(services.clock());
            new OperatorRoutes(services, health).register(config.routes);
            new StatusRoutes(services, health, refusals).register(config.routes);
            new LabRoutes(services).register(config.routes);
            new JsonApiRoutes(services.requests(), services.stage(), services.queue(), services.ledger(), json, services.clock(), rules).register(config.routes);
            config.routes.exception(InvalidRequest.class, (e, ctx) -> error(ctx, 400, "bad_request", e.getMessage()));
            config.routes.exception(CallerRefused.class, (e, ctx) -> error(ctx, e.status, e.code, e.getMessage()));
            config.routes.exception(LimitReached.class, (e, ctx) -> {
                refusals.record(e);
                ctx.header("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())));
                error(ctx, 429, "too_many", e.getMessage());
            });
            config.routes.exception(NotFound.class, (e, ctx) -> error(ctx, 404, "not_found", e.getMessage()));
            config.routes.exception(BuildBusy.class, (e, ctx) -> error(ctx, 409, "conflict", e.getMessage()));
            // Only the node holding a build's copy can empty it (clean=True with hashed placement): the caller goes there.
            config.routes.exception(HeldElsewhere.class, (e, ctx) -> {
                ctx.header("Location", e.holder() + ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString()));
                error(ctx, 307, "elsewhere", "this build is held by " + e.holder());
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("request {} failed", CallerText.escape(ctx.path()), e);
                error(ctx, 500, "internal", "internal error; the server log has the details");
            });
            config.routes.error(404, ctx -> {
                // Replace Javalin's own "Endpoint ... not found" text; keep 404s our routes wrote.
                if (ctx.result() == null || ctx.result().startsWith("Endpoint ")) {
                    error(ctx, 404, "not_found", "no such endpoint: " + CallerText.escape(ctx.path()));
                }
            });
        }).start(host, port);
        httpMetrics.started(app);
        HttpWarmUp.run(host, app.port());
        return new HttpApi(app, landing, health);
    }

    /**
     * Object names may hold '%', which a caller sends as {@code %25}: Jetty refuses that
     * encoding in a path by default (an "ambiguous" one), and the servlet layer will not decode
     * it. Only that one is allowed: an encoded '/' or '.' segment, or an empty segment, is still
     * refused before any route sees it, and every path is checked as clean after decoding.
     */
    private static void allowPercentInNames(io.javalin.config.JavalinConfig config) {
        config.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(
                org.eclipse.jetty.http.UriCompliance.DEFAULT.with("stagehand", org.eclipse.jetty.http.UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING)));
        config.jetty.modifyServletContextHandler(handler -> handler.getServletHandler().setDecodeAmbiguousURIs(true));
    }

    /** JSON for the /api/v1 callers; one plain line for devserver callers. */
    static void error(Context ctx, int status, String code, String message) {
        ctx.status(status);
        String line = message == null ? code : message.replace('\n', ' ').replace('\r', ' ');
        if (ctx.path().startsWith("/api/")) {
            ctx.json(new JsonApiRoutes.ApiError(code, line));
        } else {
            ctx.contentType("text/plain").result(line);
        }
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        landing.close();
        health.close();
    }

    /** A missing request, job, build or file (404). */
    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }
}
