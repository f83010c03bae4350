package dev.stagehand.api.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a read to the node that holds its file (hashed placement): a {@code 302} to the same
 * path and query on that node's advertise URL, or, with {@code --proxy-reads}, the node's answer
 * passed on. A proxied read is marked, and a marked one is never sent on again: two nodes whose
 * views of the ring differ for a moment answer it (a /static read where it lands, a caching-
 * protocol miss with 503 and Retry-After) rather than pass it back and forth.
 */
public final class PlacedReads {
    static final String VIA_HEADER = "X-Stagehand-Via";
    /** The proxied client takes no chunks: a body of unknown length must come with its length (after its install). */
    static final String UNCHUNKED_HEADER = "X-Stagehand-Unchunked";
    /** Request headers a read depends on, passed to the holder. */
    private static final List<String> PASSED_ON = List.of("Range", "If-Range", "If-None-Match", "If-Modified-Since",
            "X-SWARMING-TASK-ID", "X-BBID");
    /** Response headers passed back (the body's framing is the servlet's own). */
    private static final List<String> PASSED_BACK = List.of("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges",
            "ETag", "Last-Modified", "Retry-After", "Location", ObjectDownloads.CRC32C_HEADER, ObjectDownloads.MD5_HEADER);
    private static final Logger log = LoggerFactory.getLogger(PlacedReads.class);

    private final boolean proxy;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public PlacedReads(boolean proxy) {
        this.proxy = proxy;
    }

    /** Whether this request came from a peer's proxy (then it is answered here, wherever its file is). */
    static boolean fromPeer(HttpServletRequest req) {
        return req.getHeader(VIA_HEADER) != null;
    }

    /** Answers the request from {@code holder}: redirected, or proxied. */
    void send(HttpServletRequest req, HttpServletResponse res, String holder) throws IOException {
        if (fromPeer(req)) { // the nodes' views of the ring differ for a moment: never a second hop
            res.setHeader("Retry-After", "1");
            PlainErrors.send(res, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "the build's home is moving; try again");
            return;
        }
        String target = holder + req.getRequestURI() + (req.getQueryString() == null ? "" : "?" + req.getQueryString());
        if (!proxy) {
            res.setHeader("Location", target);
            res.setHeader("Cache-Control", "no-store"); // the home may move
            PlainErrors.send(res, HttpServletResponse.SC_FOUND, "served by " + holder);
            return;
        }
        HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target)).method(req.getMethod(), HttpRequest.BodyPublishers.noBody())
                .header(VIA_HEADER, "1");
        for (String name : PASSED_ON) {
            String value = req.getHeader(name);
            if (value != null) {
                forward.header(name, value);
            }
        }
        if (!LandingStreams.takesChunks(req)) { // its body ends by a close, which a cut upstream would look like
            forward.header(UNCHUNKED_HEADER, "1");
        }
        HttpResponse<InputStream> answer;
        try {
            answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            log.info("could not read {} from {}: {}", req.getRequestURI(), holder, e.toString());
            res.setHeader("Retry-After", "5");
            PlainErrors.send(res, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "the node holding this build could not be reached; try again");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        res.setStatus(answer.statusCode());
        for (String name : PASSED_BACK) {
            answer.headers().firstValue(name).ifPresent(value -> res.setHeader(name, value));
        }
        try (InputStream in = answer.body(); OutputStream out = res.getOutputStream()) {
            in.transferTo(out); // a cut upstream cuts this response: never bytes that were not sent
        }
    }
}
