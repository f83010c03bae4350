package dev.stagehand.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.cli.Main;
import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestArchives;
import dev.stagehand.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every query in db/ runs, through the `sql` command in another process, while the server runs. */
@Tag("integration")
class OperatorSqlTest {
    static final String BUCKET = "chromeos-image-archive";
    static final String PATH = "eve-release/R78-12499.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;

    @TempDir Path dir;

    @Test
    void everyOperatorQueryRunsAgainstALiveServer() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            gcs.put(BUCKET, PATH + "/stateful.tgz", TestArchives.random(5000, 1));
            gcs.faults(BUCKET, PATH + "/stateful.tgz").corrupt.set(1);
            var byTask = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base() + "/stage?archive_url=" + URL
                    + "&artifacts=stateful")).header("X-SWARMING-TASK-ID", "5f0a1b2c3d4e5f10").header("X-BBID", "8790123456789").build();
            assertEquals("Success", server.http.send(byTask, java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(500, server.get("/stage?archive_url=" + URL + "&artifacts=autotest&wait_for_upload_s=0").statusCode());

            List<Path> queries;
            try (Stream<Path> files = Files.list(Path.of("db"))) {
                queries = files.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
            }
            assertEquals(6, queries.size());
            for (Path query : queries) {
                String out = sql(Files.readString(query), query.getFileName().toString());
                switch (query.getFileName().toString()) {
                    case "build_history.sql" -> assertTrue(out.contains("RETRY") && out.contains("SUCCEEDED")
                            && out.contains("FAILED") && out.contains("(3 rows)"), out);
                    case "failures_last_24h.sql" -> assertTrue(out.contains("autotest not found in archive"), out);
                    case "slowest_artifacts.sql" -> assertTrue(out.contains("stateful"), out);
                    case "retries_per_artifact.sql" -> assertTrue(out.lines().anyMatch(l -> l.matches("stateful\\s*\\|\\s*1\\s*\\|\\s*1\\s*\\|\\s*1")), out);
                    case "task_history.sql" -> assertTrue(out.contains("8790123456789") && out.contains("stateful")
                            && out.contains("SUCCEEDED") && out.contains("(1 row)"), out);
                    case "queue_now.sql" -> assertTrue(out.contains("SUCCEEDED") && out.contains("FAILED"), out);
                    default -> throw new AssertionError("untested query " + query);
                }
            }
            String refused = sql("DELETE FROM job", "write");
            assertTrue(refused.contains("sql:"), refused);
            assertEquals(2, server.jobs(null, URL).size(), "nothing was deleted");
        }
    }

    private String sql(String query, String name) throws Exception {
        Path log = dir.resolve(name + ".out");
        Process p = ChildJvm.start(Main.class, log, List.of(), "sql", "--db", TestDb.url(dir), query);
        p.waitFor();
        return Files.readString(log);
    }
}
