package dev.stagehand.api.http;

import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import dev.stagehand.common.LimitReached;
import dev.stagehand.common.TaskIds;
import dev.stagehand.staging.CacheResult;
import dev.stagehand.staging.HeldElsewhere;
import dev.stagehand.staging.ObjectCache;
import dev.stagehand.staging.ObjectCache.Fetch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caching service's {@code GET}/{@code HEAD /download/BUCKET/OBJECT}, {@code
 * /extract/BUCKET/ARCHIVE?file=MEMBER} and {@code /decompress/BUCKET/OBJECT}: a hit is forwarded to
 * {@code /static} (Range, 416, Content-Length, HEAD); a miss is recorded as a stage request and
 * then dispatched there too, where the file streams as it lands. Answers carry the object's
 * checksums as the caching service sends them. {@code /download} with no path is still the
 * devserver's RPC of that name.
 */
public final class ObjectDownloads implements Filter {
    static final String CRC32C_HEADER = "Content-Hash-CRC32C";
    static final String MD5_HEADER = "Content-Hash-MD5";
    /** The caching protocol's RPCs, by path prefix. */
    enum Rpc {
        DOWNLOAD, EXTRACT, DECOMPRESS;

        String prefix() {
            return "/" + tag() + "/";
        }

        String tag() {
            return name().toLowerCase();
        }
    }

    private static final Logger access = LoggerFactory.getLogger("stagehand.access");
    private static final Logger log = LoggerFactory.getLogger(ObjectDownloads.class);

    private final ObjectCache cache;
    private final CacheResults results;
    private final Rpc rpc;
    private final Counter bytesServed;
    private final PlacedReads placed;

    private ObjectDownloads(ObjectCache cache, MeterRegistry registry, Rpc rpc, PlacedReads placed) {
        this.cache = cache;
        this.placed = placed;
        this.results = new CacheResults(registry);
        this.rpc = rpc;
        this.bytesServed = Counter.builder("stagehand_http_bytes_served").tag("rpc", rpc.tag())
                .description("Bytes of response bodies sent, by RPC").baseUnit("bytes").register(registry);
    }

    public static void mount(ServletContextHandler handler, ObjectCache cache, MeterRegistry registry, PlacedReads placed) {
        for (Rpc rpc : Rpc.values()) {
            handler.addFilter(new FilterHolder(new ObjectDownloads(cache, registry, rpc, placed)), rpc.prefix() + "*",
                    // ASYNC too: /static dispatches a reader back here when the file was installed while it waited.
                    EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse res = (HttpServletResponse) response;
        // Javalin's servlet is mapped to /*: the path info is the whole path.
        String full = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        String path = full.startsWith(rpc.prefix()) ? full.substring(rpc.prefix().length() - 1) : null;
        if (path == null || path.equals("/")) {
            chain.doFilter(req, res); // the devserver's /download RPC, or a 404
            return;
        }
        // It runs before the routes' caller rules, and a miss makes a job: another site's page may not ask.
        if (CrossSite.of(req.getHeader("Sec-Fetch-Site"), req.getHeader("Origin"), req.getHeader("Host"))) {
            PlainErrors.send(res, 403, "cross-site requests are refused");
            return;
        }
        if (!req.getMethod().equals("GET") && !req.getMethod().equals("HEAD")) {
            res.setHeader("Allow", "GET, HEAD");
            PlainErrors.send(res, 405, "only GET and HEAD");
            return;
        }
        TaskIds task = TaskIds.fromHeaders(req::getHeader);
        Fetch fetch;
        try {
            int slash = path.indexOf('/', 1);
            if (slash < 0) {
                throw new InvalidRequest("give " + rpc.prefix() + "BUCKET/OBJECT");
            }
            String bucket = path.substring(1, slash);
            String object = path.substring(slash + 1);
            fetch = cache.fetch(switch (rpc) {
                case DOWNLOAD -> cache.object(bucket, object);
                case EXTRACT -> cache.member(bucket, object, req.getParameter("file"));
                case DECOMPRESS -> cache.decompressed(bucket, object);
            }, task);
        } catch (HeldElsewhere e) {
            placed.send(req, res, e.holder()); // its build's home fetches and serves it
            return;
        } catch (InvalidRequest e) {
            PlainErrors.send(res, 400, e.getMessage());
            return;
        } catch (ObjectCache.NoSuchObject e) {
            PlainErrors.send(res, 404, e.getMessage());
            return;
        } catch (ObjectCache.StoreUnavailable e) {
            res.setHeader("Retry-After", "5");
            PlainErrors.send(res, 503, e.getMessage());
            return;
        } catch (LimitReached e) {
            res.setHeader("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())));
            PlainErrors.send(res, 429, e.getMessage());
            return;
        } catch (IOException | RuntimeException e) { // the ledger or the disk, not the caller: one line, the log has the rest
            log.warn("{} {} failed", rpc.prefix(), CallerText.escape(path), e);
            res.setHeader("Retry-After", "5");
            PlainErrors.send(res, 503, "the object could not be looked up just now; try again");
            return;
        }
        if (fetch.hashes().crc32cBase64() != null) {
            res.setHeader(CRC32C_HEADER, fetch.hashes().crc32cBase64());
        }
        if (fetch.hashes().md5Base64() != null) {
            res.setHeader(MD5_HEADER, fetch.hashes().md5Base64());
        }
        String target = staticUri(fetch.object().staticPath()); // encodes any clean path
        boolean first = req.getDispatcherType() == DispatcherType.REQUEST; // not a reader sent back after an install
        if (fetch.hit() == CacheResult.HIT) {
            if (first) {
                count(req, fetch, CacheResult.HIT, task);
            }
            req.getRequestDispatcher(target).forward(req, res);
            return;
        }
        // The request must be durable before /static looks for the job that will produce the file.
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        fetch.recorded().whenComplete((result, failed) -> {
            if (failed == null) {
                if (first) {
                    count(req, fetch, result, task);
                }
                req.setAttribute(LandingStreams.JOB_RECORDED, true);
                async.dispatch(req.getServletContext(), target);
            } else {
                boolean limited = failed.getCause() instanceof LimitReached; // a limit checked inside the group commit
                res.setHeader("Retry-After", "5");
                PlainErrors.send(res, limited ? 429 : 503, limited ? failed.getCause().getMessage() : "the fetch could not be recorded; try again");
                async.complete();
            }
        });
    }

    /** Requests by result, bytes served, and an access line with the lab's task ids once the response ends. */
    private void count(HttpServletRequest req, Fetch fetch, CacheResult result, TaskIds task) {
        results.count(rpc.tag(), result);
        ServletContextRequest core = ServletContextRequest.getServletContextRequest(req);
        Request.addCompletionListener(core, failure -> {
            long bytes = Response.getContentBytesWritten(core.getServletContextResponse());
            bytesServed.increment(bytes);
            access.info("{} {}{} {} {} bytes, {}{}", req.getMethod(), rpc.prefix(), CallerText.escape(fetch.object().staticPath()),
                    core.getServletContextResponse().getStatus(), bytes, result.name().toLowerCase(), task.forLog());
        });
    }

    /**
     * The /static path of a build-relative file, each segment percent-encoded for the dispatcher:
     * a name may hold spaces, '%', '?', '#' or ';' (which Jetty would take for a path parameter).
     */
    static String staticUri(String staticPath) {
        StringBuilder uri = new StringBuilder("/static");
        for (String segment : staticPath.split("/")) {
            uri.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return uri.toString();
    }
}
