package dev.stagehand.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.ServerTest;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The start's request to its own /check_health, before the server is announced. */
class HttpWarmUpTest extends ServerTest {
    @Test
    void theStartAnsweredOneHealthRequestBeforeAnyCaller() throws Exception {
        String metrics = server.get("/metrics").body();
        assertEquals(1, MetricsTest.sum(metrics, "jetty_server_requests_seconds_count"),
                "the warm-up's one request, answered before this first caller's");
    }

    @Test
    void itSaysWhetherTheServerAnsweredAndNeverThrows() throws Exception {
        int port = Integer.parseInt(server.base().replaceAll(".*:(\\d+).*", "$1"));
        assertTrue(HttpWarmUp.run("127.0.0.1", port));
        assertTrue(HttpWarmUp.run("0.0.0.0", port), "a wildcard bind is warmed over loopback");
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertFalse(HttpWarmUp.run("127.0.0.1", closed), "nothing listening: no warmth, no error");
    }
}
