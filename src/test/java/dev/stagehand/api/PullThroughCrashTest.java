package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.ServerMain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 in the middle of a pull-through: the cut reader sees a broken transfer, the job resumes, a new GET gets it all. */
@Tag("integration")
class PullThroughCrashTest {
    static final String BUCKET = "bkt";
    static final String DIR = "board-release/R3-1.0.0";
    static final int SIZE = 8 << 20;

    @TempDir Path dir;

    @Test
    void aKillMidPullThroughBreaksTheReaderAndResumesOnRestart() throws Exception {
        byte[] bytes = random(SIZE, 31);
        String object = DIR + "/image.bin";
        try (FakeGcs gcs = new FakeGcs()) {
            gcs.put(BUCKET, object, bytes);
            gcs.faults(BUCKET, object).delayPerMegabyteMs = 1000;
            Path log = dir.resolve("server.log");
            Process child = ChildJvm.start(ServerMain.class, log, List.of(), dir.toString(), gcs.endpoint());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            AtomicInteger received = new AtomicInteger();
            CompletableFuture<String> reader;
            try {
                Eventually.await(Duration.ofSeconds(60), "the child server to start", () -> ChildJvm.portFromLog(log) > 0);
                URI uri = URI.create("http://127.0.0.1:" + ChildJvm.portFromLog(log) + "/download/" + BUCKET + "/" + object);
                HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, r.statusCode());
                reader = CompletableFuture.supplyAsync(() -> {
                    byte[] buffer = new byte[64 << 10];
                    try (InputStream in = r.body()) {
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            got.write(buffer, 0, n);
                            received.addAndGet(n);
                        }
                        return "ended cleanly";
                    } catch (IOException e) {
                        return "broken";
                    }
                });
                Eventually.await(Duration.ofSeconds(60), "the reader to get its first megabyte", () -> received.get() >= 1 << 20);
            } finally {
                ChildJvm.kill(child);
            }
            assertEquals("broken", reader.get(), "a reader cut by the kill never takes what it got for the whole object");
            assertTrue(got.size() < SIZE);
            assertArrayEquals(Arrays.copyOf(bytes, got.size()), got.toByteArray(), "what it got was the object's start");

            gcs.faults(BUCKET, object).delayPerMegabyteMs = 0;
            try (Server server = Server.start(dir, gcs)) {
                String url = "gs://" + BUCKET + "/" + DIR;
                Eventually.await(Duration.ofSeconds(60), "the job to resume and finish by itself",
                        () -> server.jobs("SUCCEEDED", url).size() == 1);
                HttpResponse<byte[]> again = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/download/"
                        + BUCKET + "/" + object)).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, again.statusCode());
                assertArrayEquals(bytes, again.body());
                assertEquals(1, server.jobs(null, url).size(), "the same durable job, resumed");
            }
        }
    }
}
