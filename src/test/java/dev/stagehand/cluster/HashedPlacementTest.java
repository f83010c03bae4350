package dev.stagehand.cluster;

import static dev.stagehand.db.schema.Tables.JOB;
import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.db.Database;
import dev.stagehand.db.schema.tables.Build;
import dev.stagehand.db.types.JobState;
import dev.stagehand.queue.Rendezvous;
import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.ServerMain;
import dev.stagehand.testing.TestDb;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes with hashed placement on one PostgreSQL database, each staging on its own disk: a
 * build lands on the one node its path hashes to, and any node answers for it.
 */
@Tag("integration")
class HashedPlacementTest {
    static final String BUCKET = "bkt";
    static final int SIZE = 256 * 1024;
    static final HttpClient FOLLOWING = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    static final HttpClient NOT_FOLLOWING = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir Path dir;

    @BeforeEach
    void needsASharedDatabase() {
        assumeTrue(TestDb.postgres(), "several nodes need a database they share (PostgreSQL)");
    }

    /** A node as the test reaches it: its advertise URL and its disk. */
    record Node(String name, String url, Path staticDir) {
        Path file(String buildPath) {
            return staticDir.resolve(buildPath).resolve("stateful.tgz");
        }
    }

    @Test
    void twelveBuildsStagedThroughRandomNodesEachLandOnOneDiskAndEveryNodeServesThem() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server a = start("a", gcs); Server b = start("b", gcs); Server c = start("c", gcs)) {
            List<Server> servers = List.of(a, b, c);
            List<Node> nodes = servers.stream().map(HashedPlacementTest::node).toList();
            awaitRing(servers, nodes);
            Random random = new Random(12);
            for (int i = 0; i < 12; i++) {
                gcs.put(BUCKET, path(i) + "/stateful.tgz", random(SIZE, i));
                assertEquals("Success", get(FOLLOWING, nodes.get(random.nextInt(3)).url() + "/stage?archive_url=gs://" + BUCKET + "/"
                        + path(i) + "&artifacts=stateful").body());
            }
            DSLContext sql = a.stagehand.database().dsl();
            for (int i = 0; i < 12; i++) {
                Node home = homeOf(path(i), nodes);
                for (Node n : nodes) {
                    assertEquals(n == home, Files.exists(n.file(path(i))), "build " + i + " on " + n.name() + " (home " + home.name() + ")");
                }
                assertEquals(SIZE, gcs.bytesServed(BUCKET, path(i) + "/stateful.tgz"), "build " + i + " fetched once");
                String homeId = servers.get(nodes.indexOf(home)).stagehand.queue().node();
                assertEquals(List.of(homeId), sql.selectDistinct(JOB.CLAIMED_BY).from(JOB).join(Build.BUILD).on(Build.BUILD.ID.eq(JOB.BUILD_ID))
                        .where(Build.BUILD.BUILD_PATH.eq(path(i))).fetch(JOB.CLAIMED_BY), "build " + i + " ran on its home only");
                for (Node asked : nodes) {
                    HttpResponse<byte[]> read = getBytes(FOLLOWING, asked.url() + "/static/" + path(i) + "/stateful.tgz");
                    assertEquals(200, read.statusCode());
                    assertArrayEquals(random(SIZE, i), read.body(), "build " + i + " through " + asked.name());
                    HttpResponse<byte[]> direct = getBytes(NOT_FOLLOWING, asked.url() + "/static/" + path(i) + "/stateful.tgz");
                    if (asked == home) {
                        assertEquals(200, direct.statusCode());
                    } else {
                        assertEquals(302, direct.statusCode(), "a node that is not the home sends the reader there");
                        assertEquals(home.url() + "/static/" + path(i) + "/stateful.tgz", direct.headers().firstValue("Location").orElseThrow());
                    }
                    assertArrayEquals(random(SIZE, i), getBytes(FOLLOWING, asked.url() + "/download/" + BUCKET + "/" + path(i)
                            + "/stateful.tgz").body(), "the caching protocol through " + asked.name());
                    assertEquals("True", get(FOLLOWING, asked.url() + "/is_staged?archive_url=gs://" + BUCKET + "/" + path(i)
                            + "&artifacts=stateful").body());
                }
                assertEquals(SIZE, gcs.bytesServed(BUCKET, path(i) + "/stateful.tgz"), "build " + i + ": no node fetched it again");
            }
            Node home = homeOf(path(0), nodes);
            Node other = nodes.stream().filter(n -> n != home).findFirst().orElseThrow();
            String listing = "/list_image_dir?archive_url=gs://" + BUCKET + "/" + path(0);
            HttpResponse<String> listedElsewhere = get(NOT_FOLLOWING, other.url() + listing);
            assertEquals(307, listedElsewhere.statusCode(), "a lab RPC that reads the build's disk goes to its holder");
            assertEquals(home.url() + listing, listedElsewhere.headers().firstValue("Location").orElseThrow());
            assertTrue(get(FOLLOWING, other.url() + listing).body().contains("stateful.tgz"));
            String clean = "/stage?archive_url=gs://" + BUCKET + "/" + path(0) + "&artifacts=stateful&clean=True";
            HttpResponse<String> elsewhere = get(NOT_FOLLOWING, other.url() + clean);
            assertEquals(307, elsewhere.statusCode(), "only the home empties its own disk: " + elsewhere.body());
            assertEquals(home.url() + clean, elsewhere.headers().firstValue("Location").orElseThrow());
            assertEquals("Success", get(FOLLOWING, other.url() + clean).body());
            assertEquals(2L * SIZE, gcs.bytesServed(BUCKET, path(0) + "/stateful.tgz"), "cleaned on its home and staged again there");
            assertTrue(Files.exists(home.file(path(0))));
        }
    }

    @Test
    void eachNodeKeepsItsOwnDiskWithinItsQuotaAndEvictsOnlyItsOwnCopies() throws Exception {
        int size = 400 * 1024; // two fit under a 1 MiB quota, three do not
        try (FakeGcs gcs = new FakeGcs();
             Server a = Server.start(quota(Server.hashedNode(dir, gcs.endpoint(), "a", false)));
             Server b = Server.start(quota(Server.hashedNode(dir, gcs.endpoint(), "b", false)))) {
            List<Server> servers = List.of(a, b);
            List<Node> nodes = servers.stream().map(HashedPlacementTest::node).toList();
            awaitRing(servers, nodes);
            List<Integer> onA = new ArrayList<>();
            List<Integer> onB = new ArrayList<>();
            for (int i = 0; onA.size() < 3 || onB.size() < 2; i++) {
                List<Integer> mine = homeOf(path(i), nodes) == nodes.get(0) ? onA : onB;
                if (mine.size() < (mine == onA ? 3 : 2)) {
                    mine.add(i);
                }
            }
            for (int i : List.of(onB.get(0), onB.get(1), onA.get(0), onA.get(1), onA.get(2))) { // each through the other node
                gcs.put(BUCKET, path(i) + "/stateful.tgz", random(size, i));
                Node through = onA.contains(i) ? nodes.get(1) : nodes.get(0);
                assertEquals("Success", get(FOLLOWING, through.url() + "/stage?archive_url=gs://" + BUCKET + "/" + path(i)
                        + "&artifacts=stateful").body());
            }
            // Together the two disks hold more than one quota; A made room on its own disk only.
            assertFalse(Files.exists(nodes.get(0).file(path(onA.get(0)))), "A evicted its least recently read copy");
            assertTrue(Files.exists(nodes.get(0).file(path(onA.get(1)))) && Files.exists(nodes.get(0).file(path(onA.get(2)))));
            assertTrue(Files.exists(nodes.get(1).file(path(onB.get(0)))) && Files.exists(nodes.get(1).file(path(onB.get(1)))),
                    "B's copies are B's disk's: A neither counted nor evicted them");
            JsonNode evictions = new ObjectMapper().readTree(b.get("/api/v1/evictions").body());
            assertEquals(1, evictions.size(), evictions.toString());
            assertEquals("False", get(FOLLOWING, nodes.get(1).url() + "/is_staged?archive_url=gs://" + BUCKET + "/"
                    + path(onA.get(0)) + "&artifacts=stateful").body(), "every node knows the evicted copy is gone");
        }
    }

    private static dev.stagehand.Settings quota(dev.stagehand.Settings s) {
        return s.withDisk(new dev.stagehand.staging.DiskLimits(1L, 0L));
    }

    @Test
    void withProxyReadsANodePassesTheHomesAnswerOnInsteadOfRedirecting() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server a = start("a", gcs, true); Server b = start("b", gcs, true)) {
            List<Server> servers = List.of(a, b);
            List<Node> nodes = servers.stream().map(HashedPlacementTest::node).toList();
            awaitRing(servers, nodes);
            // Neither a node with a shared volume nor a second node with a's advertise URL may join them.
            var shared = org.junit.jupiter.api.Assertions.assertThrows(dev.stagehand.db.DatabaseSetupError.class,
                    () -> Server.start(Server.settings(dir.resolve("shared"), gcs.endpoint()).withDatabase(dev.stagehand.testing.TestDb.url(dir), null)));
            assertTrue(shared.getMessage().contains("--placement hashed"), shared.getMessage());
            dev.stagehand.Settings twin = Server.hashedNode(dir, gcs.endpoint(), "twin", false);
            var sameUrl = org.junit.jupiter.api.Assertions.assertThrows(dev.stagehand.db.DatabaseSetupError.class, () -> Server.start(
                    twin.withQueue(twin.queue().withPlacement(dev.stagehand.queue.Placement.hashed(nodes.get(0).url(), true)))));
            assertTrue(sameUrl.getMessage().contains("another running node has --advertise-url " + nodes.get(0).url()), sameUrl.getMessage());
            for (int i = 0; i < 6; i++) {
                gcs.put(BUCKET, path(i) + "/stateful.tgz", random(SIZE, i));
                assertEquals("Success", get(NOT_FOLLOWING, nodes.get(i % 2).url() + "/stage?archive_url=gs://" + BUCKET + "/"
                        + path(i) + "&artifacts=stateful").body());
                for (Node asked : nodes) {
                    HttpResponse<byte[]> read = getBytes(NOT_FOLLOWING, asked.url() + "/static/" + path(i) + "/stateful.tgz");
                    assertEquals(200, read.statusCode(), "answered by " + asked.name() + " without a redirect");
                    assertArrayEquals(random(SIZE, i), read.body());
                    HttpResponse<byte[]> range = NOT_FOLLOWING.send(HttpRequest.newBuilder(URI.create(asked.url() + "/static/" + path(i)
                            + "/stateful.tgz")).header("Range", "bytes=10-19").build(), HttpResponse.BodyHandlers.ofByteArray());
                    assertEquals(206, range.statusCode());
                    assertArrayEquals(java.util.Arrays.copyOfRange(random(SIZE, i), 10, 20), range.body());
                }
            }
        }
    }

    @Test
    void aDrainedNodeTakesNoNewBuildsAndKeepsServingWhatItHolds() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server a = start("a", gcs); Server b = start("b", gcs); Server c = start("c", gcs)) {
            List<Server> servers = List.of(a, b, c);
            List<Node> nodes = servers.stream().map(HashedPlacementTest::node).toList();
            awaitRing(servers, nodes);
            for (int i = 0; i < 12; i++) {
                gcs.put(BUCKET, path(i) + "/stateful.tgz", random(SIZE, i));
                assertEquals("Success", get(FOLLOWING, nodes.get(i % 3).url() + "/stage?archive_url=gs://" + BUCKET + "/"
                        + path(i) + "&artifacts=stateful").body());
            }
            List<Integer> onC = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                if (homeOf(path(i), nodes) == nodes.get(2)) {
                    onC.add(i);
                }
            }
            assertFalse(onC.isEmpty(), "c is the home of some of the first builds");

            HttpResponse<String> drained = a.http.send(HttpRequest.newBuilder(URI.create(a.base() + "/api/v1/nodes/"
                    + c.stagehand.queue().node() + "/drain")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, drained.statusCode(), drained.body());
            HttpResponse<String> unknown = a.http.send(HttpRequest.newBuilder(URI.create(a.base() + "/api/v1/nodes/no-such-node/drain"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, unknown.statusCode(), unknown.body());
            assertEquals("draining", new ObjectMapper().readTree(drained.body()).get("state").asText());
            List<Node> left = nodes.subList(0, 2);
            awaitRing(servers, left);

            for (int i = 12; i < 24; i++) {
                gcs.put(BUCKET, path(i) + "/stateful.tgz", random(SIZE, i));
                assertEquals("Success", get(FOLLOWING, nodes.get(i % 3).url() + "/stage?archive_url=gs://" + BUCKET + "/"
                        + path(i) + "&artifacts=stateful").body());
                assertFalse(Files.exists(nodes.get(2).file(path(i))), "build " + i + " is not staged on the draining node");
                assertTrue(Files.exists(homeOf(path(i), left).file(path(i))), "build " + i + " on its home among a and b");
            }
            for (int i : onC) { // still on c's disk, read through every node, not fetched again
                for (Node asked : nodes) {
                    assertArrayEquals(random(SIZE, i), getBytes(FOLLOWING, asked.url() + "/static/" + path(i) + "/stateful.tgz").body());
                }
                assertEquals(SIZE, gcs.bytesServed(BUCKET, path(i) + "/stateful.tgz"));
            }
            // One of c's builds staged again on its new home: c still serves its own copy from its disk, until a
            // clean on the home replaces what it holds; then c sends readers to the home.
            int again = onC.get(0);
            Node newHome = homeOf(path(again), left);
            String file = "/static/" + path(again) + "/stateful.tgz";
            assertEquals("Success", get(FOLLOWING, newHome.url() + "/stage?archive_url=gs://" + BUCKET + "/" + path(again)
                    + "&artifacts=stateful").body());
            assertEquals(2L * SIZE, gcs.bytesServed(BUCKET, path(again) + "/stateful.tgz"), "staged again on its new home");
            assertEquals(200, getBytes(NOT_FOLLOWING, nodes.get(2).url() + file).statusCode(), "c serves the copy on its own disk");
            assertEquals("Success", get(FOLLOWING, newHome.url() + "/stage?archive_url=gs://" + BUCKET + "/" + path(again)
                    + "&artifacts=stateful&clean=True").body());
            Eventually.await(Duration.ofSeconds(10), "c to send readers of the cleaned build to its home", () -> {
                try {
                    HttpResponse<byte[]> r = getBytes(NOT_FOLLOWING, nodes.get(2).url() + file);
                    return r.statusCode() == 302 && r.headers().firstValue("Location").orElse("").equals(newHome.url() + file);
                } catch (Exception e) {
                    return false;
                }
            });
            JsonNode listed = new ObjectMapper().readTree(a.get("/api/v1/nodes").body());
            Map<String, String> states = new HashMap<>();
            Map<String, Integer> held = new HashMap<>();
            listed.forEach(n -> states.put(n.get("advertise_url").asText(), n.get("state").asText()));
            listed.forEach(n -> held.put(n.get("advertise_url").asText(), n.get("builds_held").asInt()));
            assertEquals(Map.of(nodes.get(0).url(), "alive", nodes.get(1).url(), "alive", nodes.get(2).url(), "draining"), states);
            assertEquals(onC.size(), held.get(nodes.get(2).url()), "the draining node still holds its builds");
            assertEquals(25, held.values().stream().mapToInt(Integer::intValue).sum(),
                    "each build held once, and the one staged again both on c and on its new home");
        }
    }

    @Test
    void whenAHomeIsKilledItsBuildsStageAgainOnTheirNewHomesAndNoOtherBuildIsFetchedAgain() throws Exception {
        int builds = 12;
        try (FakeGcs gcs = new FakeGcs(); Database db = TestDb.open(dir)) {
            List<Process> children = new ArrayList<>();
            try {
                List<Node> nodes = new ArrayList<>();
                for (String name : List.of("a", "b", "c")) {
                    children.add(ChildJvm.start(ServerMain.class, dir.resolve(name + ".log"), List.of("-Dstagehand.test.hashedNode=" + name),
                            dir.toString(), gcs.endpoint()));
                }
                for (String name : List.of("a", "b", "c")) {
                    Path log = dir.resolve(name + ".log");
                    Eventually.await(Duration.ofSeconds(60), "node " + name + " to start", () -> ChildJvm.portFromLog(log) > 0);
                    String url = "http://127.0.0.1:" + ChildJvm.portFromLog(log);
                    nodes.add(new Node(name, url, dir.resolve(name).resolve("static")));
                }
                Eventually.await(Duration.ofSeconds(30), "every node to place builds over all three", () -> nodes.stream().allMatch(n -> {
                    try {
                        return nodesInRing(n) == 3;
                    } catch (Exception e) {
                        return false;
                    }
                }));
                Random random = new Random(9);
                for (int i = 0; i < builds; i++) {
                    gcs.put(BUCKET, path(i) + "/stateful.tgz", random(SIZE, i));
                    stage(nodes.get(random.nextInt(3)), i);
                }
                Map<Node, List<Integer>> homed = new HashMap<>();
                for (int i = 0; i < builds; i++) {
                    Node home = homeOf(path(i), nodes);
                    assertTrue(Files.exists(home.file(path(i))), "build " + i + " on its home " + home.name());
                    homed.computeIfAbsent(home, h -> new ArrayList<>()).add(i);
                }
                // The ports decide the hashing: the node killed is one that is home to some builds (one may be to none).
                Node killed = nodes.stream().max(Comparator.comparingInt(n -> homed.getOrDefault(n, List.of()).size())).orElseThrow();
                List<Integer> homedOnKilled = homed.get(killed);

                ChildJvm.kill(children.get(nodes.indexOf(killed)));
                List<Node> survivors = nodes.stream().filter(n -> n != killed).toList();
                Eventually.await(Duration.ofSeconds(30), "the survivors to place builds over the two of them",
                        () -> survivors.stream().allMatch(n -> {
                    try {
                        return nodesInRing(n) == 2;
                    } catch (Exception e) {
                        return false;
                    }
                }));
                for (int i = 0; i < builds; i++) { // the next stage call of every build, through either survivor
                    stage(survivors.get(i % 2), i);
                }
                for (int i = 0; i < builds; i++) {
                    boolean moved = homedOnKilled.contains(i);
                    Node home = homeOf(path(i), survivors);
                    assertTrue(Files.exists(home.file(path(i))), "build " + i + " on its home " + home.name());
                    assertEquals(moved ? 2L * SIZE : SIZE, gcs.bytesServed(BUCKET, path(i) + "/stateful.tgz"),
                            "build " + i + (moved ? " staged again on its new home" : " not fetched again"));
                    for (Node asked : survivors) {
                        assertArrayEquals(random(SIZE, i), getBytes(FOLLOWING, asked.url() + "/static/" + path(i) + "/stateful.tgz").body());
                    }
                }
                assertEquals(0, db.dsl().fetchCount(JOB, JOB.STATE.in(JobState.QUEUED, JobState.RUNNING)), "nothing left behind");
            } finally {
                for (Process p : children) {
                    ChildJvm.kill(p);
                }
            }
        }
    }

    private static void stage(Node node, int build) throws Exception {
        HttpResponse<String> r = FOLLOWING.send(HttpRequest.newBuilder(URI.create(node.url() + "/stage?archive_url=gs://" + BUCKET + "/"
                + path(build) + "&artifacts=stateful")).timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("Success", r.body(), "build " + build + " through " + node.name());
    }

    /** How many nodes {@code asked} places builds over now. */
    private static int nodesInRing(Node asked) throws Exception {
        int inRing = 0;
        for (JsonNode n : new ObjectMapper().readTree(get(NOT_FOLLOWING, asked.url() + "/api/v1/nodes").body())) {
            inRing += n.get("in_ring").asBoolean() ? 1 : 0;
        }
        return inRing;
    }

    private Server start(String name, FakeGcs gcs) throws Exception {
        return start(name, gcs, false);
    }

    private Server start(String name, FakeGcs gcs, boolean proxyReads) throws Exception {
        return Server.start(Server.hashedNode(dir, gcs.endpoint(), name, proxyReads));
    }

    private static Node node(Server s) {
        return new Node(s.staticDir.getParent().getFileName().toString(), s.stagehand.queue().placement().advertiseUrl(), s.staticDir);
    }

    /** Waits until every server places builds over exactly {@code ring} (each reads the ring at its check-ins). */
    private static void awaitRing(List<Server> servers, List<Node> ring) {
        List<String> urls = ring.stream().map(Node::url).toList();
        Eventually.await(Duration.ofSeconds(30), "every node to place builds over " + urls, () -> {
            for (int i = 0; i < 40; i++) {
                String expected = Rendezvous.home(path(i), urls).orElseThrow();
                for (Server s : servers) {
                    if (!s.stagehand.queue().homes().homeOf(path(i)).equals(expected)) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    private static Node homeOf(String buildPath, List<Node> nodes) {
        String url = Rendezvous.home(buildPath, nodes.stream().map(Node::url).toList()).orElseThrow();
        return nodes.stream().filter(n -> n.url().equals(url)).findFirst().orElseThrow();
    }

    static String path(int build) {
        return "target/R1-2.0." + build;
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> getBytes(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}
