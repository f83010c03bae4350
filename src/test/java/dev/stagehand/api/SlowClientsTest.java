package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.ServerTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A thousand clients that send a request body one byte every three seconds hold no thread: every
 * other request is still answered at once, and the slow bodies are cut off with a 408. (Bodies
 * declared larger than the limit, such as the 100,000 bytes of the original probe, are refused
 * with a 413 before any is read: HostileInputTest.)
 */
@Tag("integration")
class SlowClientsTest extends ServerTest {
    static final int SLOW_CLIENTS = 1000;
    static final String URL = "gs://bkt/target/R1-1.0.0";

    @Test
    void aThousandSlowRequestBodiesStarveNothingAndAreCutOff() throws Exception {
        gcs.put("bkt", "target/R1-1.0.0/stateful.tgz", random(100_000, 1));
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful").body());
        List<Socket> slow = new ArrayList<>();
        AtomicBoolean trickling = new AtomicBoolean(true);
        try {
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                Socket s = new Socket("127.0.0.1", server.stagehand.port());
                String path = i % 2 == 0 ? "/api/v1/stage" : "/stage";
                String type = i % 2 == 0 ? "application/json" : "application/x-www-form-urlencoded";
                s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + type
                        + "\r\nContent-Length: 4000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            Thread trickle = new Thread(() -> {
                while (trickling.get()) {
                    for (Socket s : slow) {
                        try {
                            s.getOutputStream().write(' ');
                        } catch (Exception cutOff) {
                            // the server closed it: what should happen
                        }
                    }
                    sleepQuietly(3000); // the attack's own pace
                }
            });
            trickle.setDaemon(true);
            trickle.start();

            long slowestMs = 0;
            long until = System.nanoTime() + 12_000_000_000L;
            while (System.nanoTime() < until) {
                for (String path : new String[] {"/check_health", "/is_staged?archive_url=" + URL + "&artifacts=stateful",
                        "/static/target/R1-1.0.0/stateful.tgz"}) {
                    long started = System.nanoTime();
                    assertEquals(200, server.get(path).statusCode(), path);
                    slowestMs = Math.max(slowestMs, (System.nanoTime() - started) / 1_000_000);
                }
            }
            System.out.printf("slowest answer with %d slow bodies open: %d ms%n", SLOW_CLIENTS, slowestMs);
            assertTrue(slowestMs < 5000, "slowest answer: " + slowestMs + " ms");
            trickling.set(false);
            int cutOff = 0;
            for (Socket s : slow) {
                s.setSoTimeout(5000);
                String answer = readAll(s.getInputStream());
                if (answer.startsWith("HTTP/1.1 408") && answer.endsWith("request body not received in time")) {
                    cutOff++;
                }
            }
            assertEquals(SLOW_CLIENTS, cutOff, "every slow body was cut off with a one-line 408");
        } finally {
            trickling.set(false);
            for (Socket s : slow) {
                s.close();
            }
        }
        assertEquals(1, server.jobs(null, null).size(), "nothing queued by the slow clients");
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (Exception e) {
            return "";
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
