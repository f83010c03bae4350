package dev.stagehand.api.http;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a request's body with servlet non-blocking I/O before any handler sees it, so a client
 * that sends its body slowly holds no thread: a thousand of them cost memory for their buffers
 * only, and every other request is still served. The handlers then read the buffered bytes.
 */
public final class BufferedBodies implements Filter {
    private final int maxBytes;
    private final long timeoutMs;

    BufferedBodies(int maxBytes, long timeoutMs) {
        this.maxBytes = maxBytes;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        if (!hasBody) {
            chain.doFilter(req, res);
            return;
        }
        if (request.getContentLengthLong() > maxBytes) {
            refuse(response, 413, "request body larger than " + maxBytes + " bytes");
            return;
        }
        Buffered buffered = new Buffered(request);
        // Started with the wrapper, so the dispatch below hands the handlers the buffered body.
        AsyncContext async = request.startAsync(buffered, response);
        async.setTimeout(timeoutMs);
        AtomicBoolean done = new AtomicBoolean();
        async.addListener(new Timeout(done, async, response));
        ServletInputStream in = request.getInputStream();
        in.setReadListener(new ReadListener() {
            private final byte[] chunk = new byte[8192];

            @Override
            public void onDataAvailable() throws IOException {
                while (in.isReady() && !in.isFinished()) {
                    int n = in.read(chunk);
                    if (n < 0) {
                        return;
                    }
                    buffered.bytes.write(chunk, 0, n);
                    if (buffered.bytes.size() > maxBytes && done.compareAndSet(false, true)) {
                        refuse(response, 413, "request body larger than " + maxBytes + " bytes");
                        async.complete();
                        return;
                    }
                }
            }

            @Override
            public void onAllDataRead() {
                if (done.compareAndSet(false, true)) {
                    // A new dispatch on a container thread: the handlers run as for any request,
                    // and may start an asynchronous answer of their own.
                    async.dispatch();
                }
            }

            @Override
            public void onError(Throwable t) {
                if (done.compareAndSet(false, true)) {
                    refuse(response, 408, "request body not received in time");
                    async.complete();
                }
            }
        });
    }

    /** Refuses the request and closes the connection (the rest of its body is not worth reading). */
    private static void refuse(HttpServletResponse response, int status, String message) {
        response.setHeader("Connection", "close");
        PlainErrors.send(response, status, message);
    }

    /** Answers 408 when the whole body did not arrive in time. */
    private record Timeout(AtomicBoolean done, AsyncContext async, HttpServletResponse response) implements AsyncListener {
        @Override
        public void onTimeout(AsyncEvent event) {
            if (done.compareAndSet(false, true)) {
                refuse(response, 408, "request body not received in time");
                async.complete();
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {}

        @Override
        public void onError(AsyncEvent event) {}

        @Override
        public void onStartAsync(AsyncEvent event) {}
    }

    /** The request with its body already in memory. */
    private static final class Buffered extends HttpServletRequestWrapper {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Buffered(HttpServletRequest request) {
            super(request);
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(bytes.toByteArray());
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body is already read");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }
    }
}

