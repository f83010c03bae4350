package dev.stagehand.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway PostgreSQL server for the test run, shared by every test of the JVM: a new cluster
 * in a temporary directory on a free loopback port, stopped and removed when the JVM exits.
 * PostgreSQL refuses to run as root, and tests here run as root, so it runs as the unprivileged
 * {@code postgres} user. A child JVM of a test (a server to kill) uses its parent's through
 * {@code -Dstagehand.test.pgUrl}.
 */
public final class PostgresServer {
    private static final String URL_PROPERTY = "stagehand.test.pgUrl";
    private static PostgresServer instance;

    private final String baseUrl;

    private PostgresServer(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public static synchronized PostgresServer get() {
        if (instance == null) {
            String inherited = System.getProperty(URL_PROPERTY);
            instance = new PostgresServer(inherited != null ? inherited : start());
            System.setProperty(URL_PROPERTY, instance.baseUrl);
        }
        return instance;
    }

    /** The system property a child JVM needs to use this server. */
    public static List<String> childJvmArgs() {
        String url = System.getProperty(URL_PROPERTY);
        return url == null ? List.of() : List.of("-D" + URL_PROPERTY + "=" + url);
    }

    /** Runs {@code sql} as the superuser, on the maintenance database. */
    public synchronized void asSuperuser(String sql) {
        try (Connection c = DriverManager.getConnection(baseUrl + "postgres?user=postgres")) {
            c.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("as superuser: " + sql, e);
        }
    }

    /** The server's JDBC URL without a database, e.g. jdbc:postgresql://127.0.0.1:5433/ */
    public String baseUrl() {
        return baseUrl;
    }

    /** A JDBC URL of database {@code name}, created on first use. */
    public synchronized String database(String name) {
        try (Connection c = DriverManager.getConnection(baseUrl + "postgres?user=postgres")) {
            boolean exists = c.createStatement().executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'").next();
            if (!exists) {
                c.createStatement().execute("CREATE DATABASE " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return baseUrl + name + "?user=postgres";
    }

    private static String start() {
        try {
            Path bin = binaries();
            Path dir = Files.createTempDirectory("stagehand-pg");
            Path data = dir.resolve("data");
            boolean root = "root".equals(System.getProperty("user.name"));
            if (root) {
                run(List.of("chown", "postgres", dir.toString()));
            }
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            run(asPostgres(root, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
                    "--no-sync", "-E", "UTF8")));
            run(asPostgres(root, List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
                    "-w", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c log_lock_waits=on"
                            + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=400", "start")));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    run(asPostgres(root, List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "stop")));
                    if (!Boolean.getBoolean("stagehand.test.keepPg")) { // -Dstagehand.test.keepPg=true keeps its log
                        run(List.of("rm", "-rf", dir.toString()));
                    }
                } catch (IOException e) {
                    System.err.println("could not stop the test PostgreSQL server: " + e.getMessage());
                }
            }));
            return "jdbc:postgresql://127.0.0.1:" + port + "/";
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a PostgreSQL server for the tests", e);
        }
    }

    /** Debian keeps them out of PATH, under /usr/lib/postgresql/VERSION/bin. */
    private static Path binaries() throws IOException {
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb"))).sorted()
                    .reduce((a, b) -> b).orElseThrow(() -> new IOException("no PostgreSQL under /usr/lib/postgresql"));
        }
    }

    private static List<String> asPostgres(boolean root, List<String> command) {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        return full;
    }

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
