package dev.stagehand.api.http;

import io.javalin.config.JavalinConfig;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.server.ServerConnector;

/**
 * What one caller may cost the server. Request bodies are small (a stage request) and are read
 * without holding a thread ({@link BufferedBodies}); one that is too large is 413, one that
 * trickles in or stalls is 408. Jetty's own errors are one plain line ({@link PlainErrors}).
 */
public final class Limits {
    /** Largest request body: a stage request with every artifact and file name the limits allow fits easily. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** A request body must arrive within this time in all... */
    static final long BODY_TIMEOUT_MS = 10_000;
    /** ...and at no less than this rate once it started (bytes per second). */
    static final long MIN_BODY_RATE = 1024;
    /** Connections the kernel may hold for the server to accept (the host's somaxconn may cut it further). */
    static final int ACCEPT_QUEUE = 2048;
    /** A connection with nothing happening on it is closed after this long. */
    static final long IDLE_TIMEOUT_MS = 30_000;

    private Limits() {}

    public static void apply(JavalinConfig config) {
        config.http.maxRequestSize = MAX_BODY_BYTES;
        config.jetty.modifyHttpConfiguration(http -> http.setMinRequestDataRate(MIN_BODY_RATE));
        config.jetty.modifyServer(server -> {
            server.setErrorHandler(new PlainErrors.ForServer());
            for (var connector : server.getConnectors()) {
                if (connector instanceof ServerConnector c) {
                    c.setIdleTimeout(IDLE_TIMEOUT_MS);
                    // Jetty leaves the listen backlog to the JDK's 50: a suite's devices connecting in
                    // the same second overflowed it, and each dropped SYN came back one or three seconds later.
                    c.setAcceptQueueSize(ACCEPT_QUEUE);
                }
            }
        });
        config.jetty.modifyServletContextHandler(handler -> {
            handler.setErrorHandler(new PlainErrors.ForContext());
            handler.addFilter(new FilterHolder(new BufferedBodies(MAX_BODY_BYTES, BODY_TIMEOUT_MS)), "/*",
                    EnumSet.of(DispatcherType.REQUEST));
        });
    }
}
