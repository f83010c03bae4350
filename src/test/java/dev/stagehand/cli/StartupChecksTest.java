package dev.stagehand.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.ChildJvm;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.TestDb;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** serve's settings are judged before any work: each bad one is one line on stderr and exit 2, in seconds. */
@Tag("integration")
class StartupChecksTest {
    @TempDir Path dir;

    private record Run(int exit, String output, long millis) {}

    private Run serve(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--host", "127.0.0.1", "--no-demo",
                "--local-archive-root", dir.resolve("archive").toString()));
        List<String> given = List.of(extra);
        if (!given.contains("--db")) {
            args.addAll(List.of("--db", TestDb.url(dir, false)));
        }
        if (!given.contains("--static-dir") && !given.contains("--config")) { // never the working directory's ./static
            args.addAll(List.of("--static-dir", dir.resolve("static").toString()));
        }
        args.addAll(given);
        Path log = Files.createTempFile(dir, "serve", ".log");
        long started = System.nanoTime();
        Process p = ChildJvm.start(Main.class, log, List.of(), args.toArray(String[]::new));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            ChildJvm.kill(p);
            throw new AssertionError("still running: " + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log).trim(), (System.nanoTime() - started) / 1_000_000);
    }

    private void assertRefused(Run run, String says) {
        assertEquals(2, run.exit(), run.output());
        assertTrue(run.output().contains(says), run.output());
        assertEquals(1, run.output().lines().count(), "one line: " + run.output());
        assertFalse(run.output().contains("Exception") || run.output().contains("java."), run.output());
        assertTrue(run.millis() < 10_000, "before any work: " + run.millis() + " ms");
        assertFalse(Files.exists(dir.resolve("db")), "the database was not opened");
        assertFalse(Files.exists(dir.resolve("static")) || Files.exists(dir.resolve("archive")), "nothing was created");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--port 80800                          | --port 80800 is not a port",
        "--port -1                             | --port -1 is not a port",
        "--workers 0                           | --workers 0 is too small",
        "--max-attempts 0                      | --max-attempts 0 is too small",
        "--db jdbc:mysql://localhost/x         | --db must be a jdbc:h2",
        "--catalogue /nonexistent/c.json       | --catalogue /nonexistent/c.json does not exist",
        "--admin-token-file /nonexistent/token | --admin-token-file /nonexistent/token does not exist",
        "--config /nonexistent/stagehand.conf  | settings file /nonexistent/stagehand.conf does not exist",
        "--placement ring                      | --placement must be shared or hashed",
        "--advertise-url http://s1.lab:8080    | --advertise-url and --proxy-reads go with --placement hashed",
        "--proxy-reads                         | --advertise-url and --proxy-reads go with --placement hashed",
        "--placement hashed --advertise-url http://s1.lab:8080 | --placement hashed places builds over the nodes that share one PostgreSQL database",
        "--placement hashed --db jdbc:postgresql://127.0.0.1:9/x | --placement hashed needs --advertise-url",
        "--placement hashed --db jdbc:postgresql://127.0.0.1:9/x --advertise-url ftp://s1.lab | --advertise-url must be an http(s) URL",
        "--placement hashed --db jdbc:postgresql://127.0.0.1:9/x --advertise-url http://s1.lab:8080/ | --advertise-url must be an http(s) URL",
        "--placement hashed --db jdbc:postgresql://127.0.0.1:9/x --advertise-url http://s1.lab:8080?a=b | --advertise-url must be an http(s) URL",
    })
    void aBadSettingIsOneLineAndExit2(String flags, String says) throws Exception {
        assertRefused(serve(flags.split(" ")), says);
    }

    @Test
    void helpFormatsEveryOption() throws Exception {
        Path log = dir.resolve("help.log");
        assertEquals(0, ChildJvm.start(Main.class, log, List.of(), "serve", "--help").waitFor());
        String help = Files.readString(log);
        assertTrue(help.contains("5% of it") && help.contains("--config"), help);
        assertFalse(help.contains("WARN"), help);
    }

    @Test
    void aPortInUseIsSaidSo() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertRefused(serve("--port", Integer.toString(taken.getLocalPort()), "--static-dir", dir.resolve("s").toString()),
                    "port " + taken.getLocalPort() + " on 127.0.0.1 is in use");
        }
    }

    @Test
    void aSettingsValueItCannotReadIsRefused() throws Exception {
        Path conf = Files.writeString(dir.resolve("stagehand.conf"), "static-dir = [\"/a\", \"/b\"]\nlocal-archive-root = \"/x\" \"/y\"\n");
        assertRefused(serve("--config", conf.toString()), "cannot read the value");
    }

    @Test
    void aStaticDirThatIsAFileIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("afile"), "x");
        assertRefused(serve("--port", "0", "--static-dir", file.toString()), "is not a directory");
    }

    @Test
    void anUnknownNameInTheSettingsFileIsRefused() throws Exception {
        Path conf = Files.writeString(dir.resolve("stagehand.conf"), "port = 0\nprot = 8080\n");
        assertRefused(serve("--config", conf.toString()), "names settings no command has: prot");
    }

    /** A flat TOML file sets the flags; a flag given on the command line wins over it; missing dirs are created and said so. */
    @Test
    void theSettingsFileIsReadFlagsWinAndMissingDirectoriesAreCreated() throws Exception {
        Path conf = Files.writeString(dir.resolve("stagehand.conf"), "[serve]\nworkers = 0  # none: refused\nport = \"0\"\nstatic-dir = \""
                + dir.resolve("new/static") + "\"  # a comment\n");
        assertRefused(serve("--config", conf.toString()), "--workers 0 is too small");
        List<String> args = new ArrayList<>(List.of("serve", "--config", conf.toString(), "--workers", "2", "--host", "127.0.0.1",
                "--no-demo", "--db", TestDb.url(dir, false), "--local-archive-root", dir.resolve("new/archive").toString()));
        Path log = dir.resolve("server.log");
        Process p = ChildJvm.start(Main.class, log, List.of(), args.toArray(String[]::new));
        try {
            Eventually.await(Duration.ofSeconds(60), "the server to listen", () -> read(log).contains("stagehand listening on port"));
            String out = Files.readString(log);
            assertTrue(Files.isDirectory(dir.resolve("new/static")), out);
            assertTrue(out.contains("created --static-dir " + dir.resolve("new/static")), out);
            assertTrue(out.contains("created --local-archive-root " + dir.resolve("new/archive")), out);
        } finally {
            ChildJvm.kill(p);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
