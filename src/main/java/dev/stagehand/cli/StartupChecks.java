package dev.stagehand.cli;

import dev.stagehand.db.Vendor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code serve} checks before it opens the database or runs a migration, so that a wrong
 * setting costs a second and one line rather than a class name after 20 seconds.
 */
final class StartupChecks {
    private static final Logger log = LoggerFactory.getLogger(StartupChecks.class);

    private StartupChecks() {}

    static void port(String host, int port) {
        if (port < 0 || port > 65535) {
            throw new StartupError("--port " + port + " is not a port: give 1 to 65535, or 0 for any free port");
        }
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as Jetty binds: a port in TIME_WAIT is free to it
            probe.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new StartupError(inUse(host, port));
        }
    }

    static String inUse(String host, int port) {
        return "port " + port + " on " + host + " is in use by another process (or not ours to take): stop it or give another --port";
    }

    static void atLeast(String flag, long value, long least) {
        if (value < least) {
            throw new StartupError(flag + " " + value + " is too small: give at least " + least);
        }
    }

    static void databaseUrl(String url) {
        try {
            Vendor.of(url); // the databases stagehand knows
        } catch (IllegalArgumentException unknown) {
            throw new StartupError("--db must be a jdbc:h2:... or jdbc:postgresql:... URL");
        }
    }

    /** A directory the server writes to: created when missing (and said so), refused when it is something else or not writable. */
    static void writableDirectory(String flag, Path dir) {
        Path path = existingDirectory(flag, dir, "");
        if (!Files.isWritable(path)) {
            throw new StartupError(flag + " " + path + " is not writable by this user");
        }
    }

    /** Directories the server only reads from: created when missing (and said so), refused when they are something else. */
    static void readableDirectories(String flag, List<Path> dirs) {
        for (Path dir : dirs) {
            existingDirectory(flag, dir, "; file:// archives under it can be staged");
        }
    }

    private static Path existingDirectory(String flag, Path dir, String note) {
        Path path = dir.toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            try {
                Files.createDirectories(path);
            } catch (IOException e) {
                throw new StartupError(flag + " " + path + " does not exist and cannot be created: " + e.getMessage());
            }
            log.info("created {} {} (it did not exist){}", flag, path, note);
        }
        if (!Files.isDirectory(path)) {
            throw new StartupError(flag + " " + path + " is not a directory");
        }
        return path;
    }

    static void readableFile(String flag, Path file) {
        if (file != null && !Files.isReadable(file)) {
            throw new StartupError(flag + " " + file.toAbsolutePath().normalize() + " does not exist or cannot be read");
        }
    }
}
