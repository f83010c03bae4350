package dev.stagehand.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.auth.oauth2.GoogleCredentials;
import dev.stagehand.Settings;
import dev.stagehand.queue.AttemptView;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestArchives;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a new user sees when GCS cannot be read: a sentence, and retries only where they can help. */
@Tag("integration")
class GcsErrorsTest {
    @TempDir Path dir;

    private static Settings withGcs(Path dir, String endpoint, boolean anonymous) {
        Settings s = Server.settings(dir, endpoint);
        return s.withGcs(new ArchiveSources.GcsSettings(endpoint, anonymous));
    }

    @Test
    void withoutANetworkEachAttemptFailsQuicklySayingSoAndOurPolicyRetries() throws Exception {
        try (Server server = Server.start(withGcs(dir, "http://no-such-host.invalid:9", true))) {
            long started = System.nanoTime();
            var response = server.get("/stage?archive_url=gs://some-bucket/t/R1&artifacts=stateful");
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 15, "no 50-second client retries");
            assertEquals(500, response.statusCode());
            assertTrue(response.body().contains("cannot reach GCS at http://no-such-host.invalid:9")
                    && response.body().contains("unknown host"), response.body());
            List<AttemptView> attempts = server.attempts(server.jobs(null, "gs://some-bucket/t/R1").get(0).id());
            assertEquals(3, attempts.size(), "every attempt is ours and recorded");
        }
    }

    @Test
    void permissionDeniedNamesTheBucketAndIsNotRetried() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(withGcs(dir, gcs.endpoint(), true))) {
            gcs.put("private-bkt", "t/R1/stateful.tgz", TestArchives.random(100, 1));
            gcs.deny("private-bkt");
            var response = server.get("/stage?archive_url=gs://private-bkt/t/R1&artifacts=stateful");
            assertEquals(500, response.statusCode());
            assertTrue(response.body().contains("permission denied (403)") && response.body().contains("may not read bucket private-bkt"),
                    response.body());
            assertEquals(1, server.jobs(null, "gs://private-bkt/t/R1").get(0).attempts(), "no retry can fix it");
        }
    }

    @Test
    void aBucketThatDoesNotExistIsSaidAndNotRetried() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(withGcs(dir, gcs.endpoint(), true))) {
            var response = server.get("/stage?archive_url=gs://no-such-bucket/t/R1&artifacts=stateful");
            assertEquals(500, response.statusCode());
            assertTrue(response.body().contains("not found (404)") && response.body().contains("bucket no-such-bucket"),
                    response.body());
            assertEquals(1, server.jobs(null, "gs://no-such-bucket/t/R1").get(0).attempts());
        }
    }

    @Test
    void withoutCredentialsThe401SaysHowToGiveThemAndStartupSaysWhatIsUsed() throws Exception {
        Assumptions.assumeTrue(noApplicationDefaultCredentials(), "this machine has Application Default Credentials");
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(withGcs(dir, gcs.endpoint(), false))) {
            gcs.put("bkt", "t/R1/stateful.tgz", TestArchives.random(100, 1));
            gcs.requireAuth();
            var response = server.get("/stage?archive_url=gs://bkt/t/R1&artifacts=stateful");
            assertEquals(500, response.statusCode());
            assertTrue(response.body().contains("GCS refused the credentials (401)")
                    && response.body().contains("gcloud auth application-default login")
                    && response.body().contains("--gcs-anonymous"), response.body());
        }
    }

    private static boolean noApplicationDefaultCredentials() {
        try {
            GoogleCredentials.getApplicationDefault();
            return false;
        } catch (Exception e) {
            return true;
        }
    }
}
