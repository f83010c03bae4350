package dev.stagehand.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.cli.Main;
import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.PostgresServer;
import dev.stagehand.testing.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Least privilege on PostgreSQL, on a server the test starts: the README's role set-up is all the
 * server needs, the migrations make no role, `sql` never writes, a missing grant is named, and
 * the password shows in no line the server prints.
 */
@Tag("integration")
class PostgresRolesTest {
    @TempDir Path dir;

    private static String random() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The statements of the README's PostgreSQL set-up block, for a role and database named {@code name}. */
    private static List<String> readmeSetUp(String name, String password) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String block = readme.substring(readme.indexOf("<!-- postgresql-setup -->"));
        block = block.substring(block.indexOf("```sql") + 6, block.indexOf("```", block.indexOf("```sql") + 6));
        List<String> statements = new ArrayList<>();
        for (String s : block.split(";")) {
            if (!s.isBlank()) {
                statements.add(s.strip().replace("'choose-a-long-random-password'", "'" + password + "'")
                        .replaceAll("\\bstagehand\\b", name));
            }
        }
        return statements;
    }

    private static Object superuserQuery(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresServer.get().baseUrl() + "postgres?user=postgres");
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getObject(1);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private String sql(String url, Path passwordFile, String query) throws Exception {
        Path log = Files.createTempFile(dir, "sql", ".log");
        ChildJvm.start(Main.class, log, List.of(), "sql", "--db", url, "--db-password-file", passwordFile.toString(), query).waitFor();
        return Files.readString(log);
    }

    @Test
    void theReadmesRoleSetUpIsAllTheServerNeedsAndSqlNeverWrites() throws Exception {
        String name = "sh_" + random();
        String password = random();
        for (String statement : readmeSetUp(name, password)) {
            PostgresServer.get().asSuperuser(statement);
        }
        assertEquals(false, superuserQuery("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = '" + name + "'"));
        Path passwordFile = Files.writeString(dir.resolve("db-password"), password + "\n");
        String url = PostgresServer.get().baseUrl() + name + "?user=" + name;
        Path build = Files.createDirectories(dir.resolve("archive/t/R1"));
        Files.writeString(build.resolve("stateful.tgz"), "state");
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(Server.settings(dir, gcs).withDatabase(url, passwordFile))) {
            assertEquals("Success", server.get("/stage?archive_url=file://" + build + "&artifacts=stateful").body());
            assertEquals(0L, superuserQuery("SELECT count(*) FROM pg_roles WHERE rolname = 'stagehand_reader'"), "no role made");
            String ok = sql(url, passwordFile, "SELECT state FROM job");
            assertTrue(ok.contains("SUCCEEDED") && ok.contains("(1 row)"), ok);
            Map<String, String> refused = Map.of(
                    "DELETE FROM job", "only queries that read",
                    "WITH d AS (DELETE FROM job RETURNING id) SELECT * FROM d", "read-only transaction",
                    "SELECT * FROM job FOR UPDATE", "may not lock rows",
                    "SELECT 1; DELETE FROM job", "one statement",
                    "SELECT set_config('transaction_read_only', 'off', true)", "transaction");
            for (var c : refused.entrySet()) {
                String out = sql(url, passwordFile, c.getKey());
                assertTrue(out.startsWith("sql: ") && out.contains(c.getValue()) && out.lines().count() == 1, c.getKey() + ": " + out);
            }
            assertEquals(1, server.jobs(null, null).size(), "nothing was deleted");
        }
    }

    @Test
    void aUserThatDoesNotOwnItsDatabaseIsToldWhichGrantItLacks() throws Exception {
        String name = "sh_" + random();
        String password = random();
        PostgresServer.get().asSuperuser("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'");
        PostgresServer.get().asSuperuser("CREATE DATABASE " + name); // owned by the superuser
        Path passwordFile = Files.writeString(dir.resolve("db-password"), password);
        DatabaseSetupError e = assertThrows(DatabaseSetupError.class,
                () -> Database.open(PostgresServer.get().baseUrl() + name + "?user=" + name, password, 4).close());
        assertTrue(e.getMessage().contains("make it the owner of its database") && !e.getMessage().contains("\n"), e.getMessage());
        assertTrue(Files.exists(passwordFile));
    }

    @Test
    void theStartLineMasksAPasswordInTheUrl() throws Exception {
        String name = "sh_" + random();
        String password = random();
        for (String statement : readmeSetUp(name, password)) {
            PostgresServer.get().asSuperuser(statement);
        }
        Path log = dir.resolve("serve.log");
        Process p = ChildJvm.start(Main.class, log, List.of(), "serve", "--port", "0", "--no-demo",
                "--static-dir", dir.resolve("static").toString(), "--local-archive-root", dir.resolve("archive").toString(),
                "--db", PostgresServer.get().baseUrl() + name + "?user=" + name + "&password=" + password);
        try {
            Eventually.await(Duration.ofSeconds(60), "the start line", () -> read(log).contains("listening on port"));
            String printed = Files.readString(log);
            assertTrue(printed.contains("password=***"), printed);
            assertFalse(printed.contains(password), printed);
        } finally {
            ChildJvm.kill(p);
        }
    }
}
