package dev.stagehand.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.Settings;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestArchives;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With --admin-token-file: every destructive or admin call without the token, or with a wrong
 * one, is a one-line 401 that changes nothing; any call from another site is a 403, token or not;
 * a JSON API POST of another content type is a 415. Plain staging and reads stay open.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CallerRulesTest {
    static final String BUCKET = "bkt";
    static final String TOKEN = "s3cr3t-admin-token-0123456789";
    static final String BUILD = "target/R1-1";
    static final String URL = "gs://" + BUCKET + "/" + BUILD;

    Path dir;
    FakeGcs gcs;
    Server server;
    long failedJob;

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        Path tokenFile = Files.writeString(dir.resolve("admin-token"), TOKEN + "\n");
        gcs = new FakeGcs();
        gcs.put(BUCKET, BUILD + "/stateful.tgz", TestArchives.random(1000, 1));
        gcs.put(BUCKET, BUILD + "/fresh.bin.gz", TestArchives.random(1000, 2)); // a miss would make a job
        server = Server.start(Server.settings(dir, gcs).withAccess(new Settings.Access(tokenFile)));
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful").body());
        assertEquals(500, server.get("/stage?archive_url=" + URL + "&artifacts=autotest&wait_for_upload_s=0").statusCode());
        failedJob = server.jobs("FAILED", URL).get(0).id();
    }

    @AfterAll
    void stop() {
        server.close();
        gcs.close();
    }

    /** One call: method, path, body (null: none) and headers; the status it must get. */
    record Call(String name, String method, String path, String body, Map<String, String> headers, int status) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Map<String, String> headers(String... kv) {
        Map<String, String> h = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            h.put(kv[i], kv[i + 1]);
        }
        return h;
    }

    List<Call> refused() {
        String json = "application/json";
        String bearer = "Bearer " + TOKEN;
        String clean = "/stage?archive_url=" + URL + "&artifacts=stateful&clean=True";
        String cancel = "/api/v1/jobs/" + failedJob + "/cancel";
        String retry = "/api/v1/jobs/" + failedJob + "/retry";
        String cleanBody = "{\"archive_url\":\"" + URL + "\",\"artifacts\":[\"stateful\"],\"clean\":true}";
        String stageBody = "{\"archive_url\":\"" + URL + "/other\",\"artifacts\":[\"stateful\"]}";
        List<Call> calls = new ArrayList<>();
        calls.add(new Call("clean without a token", "GET", clean, null, headers(), 401));
        calls.add(new Call("clean with a wrong token", "GET", clean, null, headers("Authorization", "Bearer wrong"), 401));
        calls.add(new Call("clean with the token as Basic", "GET", clean, null, headers("Authorization", "Basic " + TOKEN), 401));
        calls.add(new Call("clean as a form POST", "POST", "/stage", "archive_url=" + URL + "&artifacts=stateful&clean=True",
                headers("Content-Type", "application/x-www-form-urlencoded"), 401));
        calls.add(new Call("JSON clean without a token", "POST", "/api/v1/stage", cleanBody, headers("Content-Type", json), 401));
        calls.add(new Call("retry without a token", "POST", retry, "{}", headers("Content-Type", json), 401));
        calls.add(new Call("cancel without a token", "POST", cancel, "{}", headers("Content-Type", json), 401));
        calls.add(new Call("cancel with a wrong token", "POST", cancel, "{}", headers("Content-Type", json, "Authorization", "Bearer x"), 401));
        calls.add(new Call("cross-site cancel as text/plain", "POST", cancel, "{}",
                headers("Content-Type", "text/plain", "Origin", "http://evil.example", "Authorization", bearer), 403));
        calls.add(new Call("cross-site cancel with the token", "POST", cancel, "{}",
                headers("Content-Type", json, "Origin", "http://evil.example", "Authorization", bearer), 403));
        calls.add(new Call("cross-site form clean", "POST", "/stage", "archive_url=" + URL + "&artifacts=stateful&clean=True",
                headers("Content-Type", "application/x-www-form-urlencoded", "Origin", "http://evil.example"), 403));
        calls.add(new Call("cross-site stage by a browser", "GET", "/stage?archive_url=" + URL + "/other&artifacts=stateful",
                null, headers("Sec-Fetch-Site", "cross-site"), 403));
        calls.add(new Call("same-site but another origin", "GET", "/stage?archive_url=" + URL + "/other&artifacts=stateful",
                null, headers("Sec-Fetch-Site", "same-site"), 403));
        calls.add(new Call("an opaque origin", "POST", "/api/v1/stage", stageBody, headers("Content-Type", json, "Origin", "null"), 403));
        calls.add(new Call("another port of this host", "POST", "/api/v1/stage", stageBody,
                headers("Content-Type", json, "Origin", "http://127.0.0.1:1"), 403));
        String drain = "/api/v1/nodes/any-node/drain";
        calls.add(new Call("drain without a token", "POST", drain, "{}", headers("Content-Type", json), 401));
        calls.add(new Call("cross-site drain with the token", "POST", drain, "{}",
                headers("Content-Type", json, "Origin", "http://evil.example", "Authorization", bearer), 403));
        calls.add(new Call("a drain as a form", "POST", drain, "x=1",
                headers("Content-Type", "application/x-www-form-urlencoded", "Authorization", bearer), 415));
        calls.add(new Call("a JSON POST as text/plain", "POST", "/api/v1/stage", stageBody, headers("Content-Type", "text/plain"), 415));
        calls.add(new Call("a JSON POST as a form", "POST", retry, "x=1",
                headers("Content-Type", "application/x-www-form-urlencoded", "Authorization", bearer), 415));
        String object = BUCKET + "/" + BUILD + "/fresh.bin.gz";
        calls.add(new Call("cross-site pull-through by a browser", "GET", "/download/" + object, null,
                headers("Sec-Fetch-Site", "cross-site"), 403));
        calls.add(new Call("cross-site HEAD of an object", "HEAD", "/download/" + object, null,
                headers("Origin", "http://evil.example"), 403));
        calls.add(new Call("cross-site extract", "GET", "/extract/" + BUCKET + "/" + BUILD + "/stateful.tgz?file=x", null,
                headers("Origin", "http://evil.example"), 403));
        calls.add(new Call("cross-site decompress", "GET", "/decompress/" + object, null,
                headers("Sec-Fetch-Site", "same-site"), 403));
        calls.add(new Call("cross-site is_staged", "GET", "/is_staged?archive_url=" + URL + "&artifacts=stateful", null,
                headers("Origin", "https://evil.example"), 403));
        return calls;
    }

    private HttpResponse<String> send(Call c) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + c.path())).timeout(Duration.ofSeconds(20));
        c.headers().forEach(b::header);
        b.method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(c.body()));
        return server.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void aRefusedCallIsOneLineAndChangesNothing(Call c) throws Exception {
        int jobs = server.jobs(null, null).size();
        var response = send(c);
        assertEquals(c.status(), response.statusCode(), c + ": " + response.body());
        assertFalse(response.body().contains("\n") || response.body().contains("Exception"), response.body());
        if (c.status() == 401) {
            assertEquals("Bearer realm=\"stagehand\"", response.headers().firstValue("WWW-Authenticate").orElse(""));
        }
        assertEquals(jobs, server.jobs(null, null).size(), c + ": nothing queued");
        assertEquals("FAILED", server.job(failedJob).state().name(), c + ": the failed job is untouched");
        assertTrue(Files.exists(server.build(BUILD).resolve("stateful.tgz")), c + ": nothing cleaned");
    }

    @Order(2)
    @Test
    void theTokenOpensAdminCallsAndLabCallsNeedNone() throws Exception {
        String bearer = "Bearer " + TOKEN;
        assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful").body(), "plain stage: no token");
        assertEquals("True", server.get("/is_staged?archive_url=" + URL + "&artifacts=stateful").body());
        assertEquals(200, send(new Call("health from another site", "GET", "/check_health", null,
                headers("Sec-Fetch-Site", "cross-site"), 200)).statusCode());
        var clean = send(new Call("clean with the token", "GET", "/stage?archive_url=" + URL + "&artifacts=stateful&clean=True",
                null, headers("Authorization", bearer), 200));
        assertEquals("Success", clean.body());
        var sameOrigin = send(new Call("the status page's own POST", "POST", "/api/v1/jobs/" + failedJob + "/retry", "{}",
                headers("Content-Type", "application/json; charset=utf-8", "Authorization", bearer,
                        "Origin", server.base(), "Sec-Fetch-Site", "same-origin"), 200));
        assertEquals(200, sameOrigin.statusCode(), sameOrigin.body());
    }

    @Test
    void withoutATokenFileCrossSiteCallsAreStillRefused() throws Exception {
        try (Server open = Server.start(Server.settings(dir.resolve("open"), gcs))) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(open.base() + "/api/v1/jobs/1/cancel"))
                    .header("Content-Type", "text/plain").header("Origin", "http://evil.example")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            assertEquals(403, open.http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals("Success", open.get("/stage?archive_url=" + URL + "&artifacts=stateful&clean=True").body(),
                    "no token file: clean is open to lab clients, as the devserver's was");
        }
    }
}
