package dev.stagehand.api.http;

import dev.stagehand.staging.ActiveReads;
import dev.stagehand.staging.ReadPlacement;
import dev.stagehand.staging.StagingArea;
import dev.stagehand.staging.StaticReads;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Request;

/**
 * {@code /static/*} through Jetty's ResourceServlet (Javalin 7's own static handler ignores
 * Range): streaming, Content-Length, single and suffix ranges, 416, HEAD, ETag and
 * Last-Modified. Jetty's alias checks keep symlinks that leave the static dir out; the filter
 * refuses a path whose links lead out of its build, hides stagehand's bookkeeping directory and
 * records the build's last access.
 */
public final class StaticFiles {
    private StaticFiles() {}

    public static void mount(ServletContextHandler handler, StagingArea area, StaticReads inBuild, ActiveReads reads,
            Consumer<String> onRead, LandingStreams landing, ReadPlacement placement, PlacedReads placed) {
        ServletHolder files = new ServletHolder("static", ResourceServlet.class);
        files.setInitParameter("baseResource", area.root().toUri().toString());
        files.setInitParameter("dirAllowed", "false");
        files.setInitParameter("acceptRanges", "true");
        files.setInitParameter("etags", "true");
        files.setInitParameter("gzip", "false");
        files.setInitParameter("pathInfoOnly", "true");
        handler.addServlet(files, "/static/*");
        handler.addFilter(new FilterHolder(new Guard(inBuild, reads, onRead, landing, placement, placed)), "/static/*",
                // FORWARD and ASYNC: /download hands its requests over to /static these ways.
                EnumSet.of(DispatcherType.REQUEST, DispatcherType.FORWARD, DispatcherType.ASYNC));
    }

    private record Guard(StaticReads inBuild, ActiveReads reads, Consumer<String> onRead, LandingStreams landing,
            ReadPlacement placement, PlacedReads placed) implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            String path = ((HttpServletRequest) req).getPathInfo();
            if (path == null || path.contains("/" + StagingArea.INTERNAL_DIR) || path.contains("..")
                    || !inBuild.staysInBuild(path.substring(1))) {
                PlainErrors.send((HttpServletResponse) res, 404, "no such file");
                return;
            }
            // A caller's own request (not one /download handed over, which decided already, nor a peer's proxy)
            // for a file held on another node goes there.
            if (req.getDispatcherType() == DispatcherType.REQUEST && !PlacedReads.fromPeer((HttpServletRequest) req)) {
                Optional<String> holder = placement.elsewhere(path.substring(1));
                if (holder.isPresent()) {
                    placed.send((HttpServletRequest) req, (HttpServletResponse) res, holder.get());
                    return;
                }
            }
            onRead.accept(path);
            // Eviction leaves a build alone while any of its files is being read; the read ends
            // when Jetty completes the response, however it is sent and however it ends.
            reads.begin(path);
            Request.addCompletionListener(ServletContextRequest.getServletContextRequest(req), failure -> reads.end(path));
            if (!landing.take((HttpServletRequest) req, (HttpServletResponse) res, path.substring(1))) {
                chain.doFilter(req, res); // installed, or no job will produce it (404)
            }
        }
    }
}
