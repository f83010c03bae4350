package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.ServerTest;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** check_health has what autotest's get_least_loaded_devserver compares, and the figures follow the load. */
@Tag("integration")
class HealthLoadTest extends ServerTest {
    static final String URL = "gs://bkt/target/R1-1.0.0";
    final ObjectMapper json = new ObjectMapper();

    private JsonNode health() {
        try {
            return json.readTree(server.get("/check_health").body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theLoadFiguresAreNumbersThatMoveWithTheLoad() throws Exception {
        JsonNode idle = health();
        for (String field : new String[] {"free_disk", "cpu_percent", "network_total_bytes_per_second",
                "disk_total_bytes_per_second", "apache_client_count", "gsutil_count"}) {
            assertTrue(idle.get(field).isNumber(), field + " in " + idle);
        }
        assertTrue(idle.get("free_disk").asDouble() >= 0);

        gcs.put("bkt", "target/R1-1.0.0/stateful.tgz", random(32 << 20, 1));
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful").body());
        gcs.put("bkt", "target/R1-1.0.0/slow.bin", random(2 << 20, 2));
        gcs.faults("bkt", "target/R1-1.0.0/slow.bin").delayPerMegabyteMs = 30_000;
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&files=slow.bin&async=True").body());
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                clients.add(new Socket("127.0.0.1", server.stagehand.port()));
            }
            try (FileChannel file = FileChannel.open(dir.resolve("disk-load"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer block = ByteBuffer.wrap(random(1 << 20, 3));
                long started = System.nanoTime();
                // Downloads through /static (network and CPU) and synced writes (disk) until the figures show them.
                Eventually.await(Duration.ofSeconds(30), "the load to show in check_health", () -> {
                    download();
                    for (int i = 0; i < 16; i++) {
                        write(file, block.rewind());
                    }
                    JsonNode h = health();
                    return h.get("network_total_bytes_per_second").asDouble() > 5e6 && h.get("cpu_percent").asDouble() > 0
                            && h.get("disk_total_bytes_per_second").asDouble() > 0;
                });
            }
            JsonNode loaded = health();
            assertTrue(loaded.get("apache_client_count").asLong() >= 30, "open HTTP connections: " + loaded);
            assertEquals(1, loaded.get("gsutil_count").asInt(), "the slow download running now: " + loaded);
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            server.stagehand.queue().cancel(server.jobs("RUNNING", URL).get(0).id());
        }
    }

    private void download() {
        try {
            server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/static/target/R1-1.0.0/stateful.tgz")).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(FileChannel file, ByteBuffer block) {
        try {
            file.write(block);
            file.force(false);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
