package dev.stagehand.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.cli.Main;
import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.JdbcProbe;
import dev.stagehand.testing.Server;
import dev.stagehand.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database against another local user: random passwords in a 0600 file, a private
 * directory, no way in through AUTO_SERVER's port without them, and an `sql` command that reads
 * one statement, never writes, never locks and stops at its timeout.
 */
@Tag("integration")
class H2SecurityTest {
    @TempDir Path dir;

    @BeforeEach
    void onlyOnH2() {
        Assumptions.assumeFalse(TestDb.postgres(), "the embedded database's own credentials");
    }

    private String url() {
        return TestDb.url(dir);
    }

    private String probe(String user, String password, String... sql) throws Exception {
        Path log = Files.createTempFile(dir, "probe", ".log");
        List<String> args = new java.util.ArrayList<>(List.of(ReaderAccount.url(url()), user, password));
        args.addAll(List.of(sql));
        ChildJvm.start(JdbcProbe.class, log, List.of(), args.toArray(String[]::new)).waitFor();
        return Files.readString(log);
    }

    private String sql(String query, String... options) throws Exception {
        return sqlOn(url(), query, options);
    }

    private String sqlOn(String db, String query, String... options) throws Exception {
        Path log = Files.createTempFile(dir, "sql", ".log");
        List<String> args = new java.util.ArrayList<>(List.of("sql", "--db", db));
        args.addAll(List.of(options));
        args.add(query);
        ChildJvm.start(Main.class, log, List.of(), args.toArray(String[]::new)).waitFor();
        return Files.readString(log);
    }

    @Test
    void passwordsAreRandomPrivateAndNeededThroughTheAutoServerPort() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            Path credentials = dir.resolve("db/stagehand.credentials");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("db"))));
            String text = Files.readString(credentials);
            assertTrue(text.matches("(?s).*admin=[0-9a-f]{48}\n.*") && text.matches("(?s).*reader=[0-9a-f]{48}\n.*"), text);
            // The server runs: another process gets in only through AUTO_SERVER's TCP port, and only with a password.
            for (String[] guess : new String[][] {{"sa", ""}, {"SA", "sa"}, {ReaderAccount.USER, "reader"}}) {
                String out = probe(guess[0], guess[1]);
                assertTrue(out.startsWith("REFUSED Wrong user name or password"), guess[0] + "/" + guess[1] + ": " + out);
            }
            H2Credentials real = H2Credentials.forClient(url());
            String asReader = probe(ReaderAccount.USER, real.reader(), "CREATE ALIAS RUN FOR 'java.lang.Runtime.getRuntime'");
            assertTrue(asReader.startsWith("CONNECTED") && asReader.contains("Admin rights are required"), asReader);
            assertFalse(real.toString().contains(real.admin()), "the record does not print its passwords");
        }
    }

    @Test
    void aDatabaseMadeWithTheOldEmptyPasswordGetsARandomOne() throws Exception {
        String url = H2Urls.withDefaults(url());
        Files.createDirectories(dir.resolve("db"));
        org.flywaydb.core.Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration/h2").load().migrate();
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.createStatement().execute("CREATE TABLE legacy(x INT)");
        }
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            assertEquals(200, server.get("/check_health").statusCode());
        }
        assertThrows(java.sql.SQLException.class, () -> DriverManager.getConnection(url, "sa", "").close());
        try (Connection c = DriverManager.getConnection(url, "sa", H2Credentials.forClient(url()).admin())) {
            assertTrue(c.createStatement().executeQuery("SELECT COUNT(*) FROM legacy").next(), "same database, kept");
        }
    }

    @Test
    void sqlReadsOneStatementNeverWritesLocksOrRunsCodeAndStopsAtItsTimeout() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            Path build = Files.createDirectories(dir.resolve("archive/t/R1"));
            assertEquals(500, server.get("/stage?archive_url=file://" + build + "&artifacts=stateful&wait_for_upload_s=0").statusCode());
            String ok = sql("SELECT state FROM job");
            assertTrue(ok.contains("FAILED") && ok.contains("(1 row)"), ok);
            Map<String, String> refused = Map.of(
                    "DELETE FROM job", "only queries that read",
                    "SELECT 1; DELETE FROM job", "one statement",
                    "SELECT * FROM job FOR UPDATE", "may not lock rows",
                    "CREATE ALIAS RUN FOR 'java.lang.Runtime.getRuntime'", "only queries that read",
                    "WITH x AS (SELECT 1) SELECT FILE_READ('/etc/passwd') FROM x", "Admin rights");
            for (var c : refused.entrySet()) {
                String out = sql(c.getKey());
                assertTrue(out.startsWith("sql: ") && out.contains(c.getValue()) && out.lines().count() == 1, c.getKey() + ": " + out);
            }
            long start = System.nanoTime();
            String slow = sql("SELECT COUNT(*) FROM SYSTEM_RANGE(1, 1000000) a, SYSTEM_RANGE(1, 1000000) b WHERE a.X + b.X = 7",
                    "--timeout-s", "1");
            assertTrue(slow.startsWith("sql: ") && slow.toLowerCase().contains("cancel"), slow);
            assertTrue(System.nanoTime() - start < 20_000_000_000L, "stopped by its timeout");
            assertEquals(1, server.jobs(null, null).size(), "nothing was deleted");
        }
    }

    @Test
    void aSecondServerOnTheSameFileIsRefusedAndTheFirstRunsOn() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            Path log = dir.resolve("second.log");
            Files.createDirectories(dir.resolve("static2")); // no "created" line: the refusal is the only one
            Files.createDirectories(dir.resolve("archive"));
            Process second = ChildJvm.start(Main.class, log, List.of(), "serve", "--port", "0", "--no-demo", "--db", url(),
                    "--static-dir", dir.resolve("static2").toString(), "--local-archive-root", dir.resolve("archive").toString());
            assertEquals(2, second.waitFor());
            String said = Files.readString(log).strip();
            assertTrue(said.startsWith("serve: another process has the database") && said.contains("several nodes need PostgreSQL")
                    && said.lines().count() == 1, said);
            var nodes = server.get("/api/v1/nodes").body();
            assertTrue(nodes.contains("\"alive\":true") && nodes.contains(server.stagehand.queue().node()), nodes);
            assertEquals(1, server.stagehand.queue().ledger().nodes(10).size(), "the second never registered");
            assertEquals(200, server.get("/check_health").statusCode());
        }
    }

    @Test
    void sqlWithoutTheCredentialsFileSaysWhy() throws Exception {
        String out = sqlOn(H2Urls.fileUrl(dir.resolve("nowhere/db")), "SELECT 1");
        assertTrue(out.startsWith("sql: no credentials at") && out.lines().count() == 1, out);
    }
}
