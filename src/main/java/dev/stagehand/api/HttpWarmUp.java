package dev.stagehand.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request to the server's own {@code /check_health} once it listens, before it is announced.
 * On a server just started the first request took about 0.12 s and the next 5 ms: Jetty's and
 * Javalin's request path loaded and compiled for the first time. A device's first stage call
 * answered in 0.18–0.22 s without this, 0.10–0.12 s with it. Over loopback on a plain socket
 * (Java's HTTP client would load one more stack of its own); it counts as one health request in
 * the metrics. A failure only costs the warmth.
 */
final class HttpWarmUp {
    private static final Logger log = LoggerFactory.getLogger(HttpWarmUp.class);
    private static final int TIMEOUT_MS = 5_000;

    private HttpWarmUp() {}

    private static InetAddress target(String host) throws IOException {
        if (host == null || host.isEmpty()) {
            return InetAddress.getLoopbackAddress();
        }
        InetAddress bound = InetAddress.getByName(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
        return bound.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound;
    }

    /** Returns whether the server answered; {@code host} as the server was bound (a wildcard is reached over loopback). */
    static boolean run(String host, int port) {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target(host), port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /check_health HTTP/1.1\r\nHost: localhost:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12); // "HTTP/1.1 200"
            in.transferTo(OutputStream.nullOutputStream());
            boolean answered = new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
            log.info("warmed the HTTP path in {} ms{}", (System.nanoTime() - start) / 1_000_000, answered ? "" : " (not answered 200)");
            return answered;
        } catch (IOException e) {
            log.warn("could not warm the HTTP path: {}", e.toString());
            return false;
        }
    }
}
