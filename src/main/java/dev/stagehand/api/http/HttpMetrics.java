package dev.stagehand.api.http;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jetty.JettyConnectionMetrics;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.jetty12.server.TimedHandler;
import org.eclipse.jetty.server.Server;

/**
 * Micrometer's Jetty binders on our server: request timings (every route and /static), open
 * connections and bytes, and the thread pool. The open connections also answer check_health.
 */
public final class HttpMetrics {
    private final MeterRegistry registry;

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void instrument(JavalinConfig config) {
        config.jetty.modifyServletContextHandler(handler -> handler.insertHandler(new TimedHandler(registry, Tags.empty())));
    }

    /** Once the server runs (its connectors exist). */
    public void started(Javalin app) {
        Server server = app.jettyServer().server();
        new JettyServerThreadPoolMetrics(server.getThreadPool(), Tags.empty()).bindTo(registry);
        for (var connector : server.getConnectors()) {
            connector.addBean(new JettyConnectionMetrics(registry, connector));
        }
    }

    /** HTTP connections open now (the devserver's "apache_client_count"). */
    public double openConnections() {
        var gauge = registry.find("jetty.connections.current").gauge();
        return gauge == null ? 0 : gauge.value();
    }
}
