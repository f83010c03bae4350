package dev.stagehand.db;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The passwords of an H2 database file: its admin ({@code SA}) and the read-only account, made
 * at random on the first start and kept in {@code <database>.credentials} beside it, mode 0600,
 * in a directory only the server's user may enter. So another local user can neither read the
 * files nor log in, through AUTO_SERVER's port or otherwise, and only the server's user (or root)
 * can run the {@code sql} command. An in-memory database gets passwords for this process only.
 */
public record H2Credentials(String admin, String reader) {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /** Not for printing: a record would show both passwords. */
    @Override
    public String toString() {
        return "H2Credentials[...]";
    }

    /** Where an H2 URL's database lives on disk, or null for one in memory or on another server. */
    static Path baseOf(String url) {
        String rest = url.substring("jdbc:h2:".length());
        for (String store : new String[] {"file:", "async:"}) {
            if (rest.startsWith(store)) {
                rest = rest.substring(store.length());
            }
        }
        if (rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:") || rest.startsWith("zip:")) {
            return null;
        }
        int settings = rest.indexOf(';');
        return Path.of(settings < 0 ? rest : rest.substring(0, settings)).toAbsolutePath().normalize();
    }

    static Path fileOf(Path base) {
        return base.resolveSibling(base.getFileName() + ".credentials");
    }

    /**
     * The server's side: the credentials of the database at {@code url}, created with it on the
     * first start; its directory is made private (0700) each time.
     */
    static H2Credentials forServer(String url) {
        Path base = baseOf(url);
        if (base == null) {
            return fresh();
        }
        try {
            Path dir = base.getParent();
            Files.createDirectories(dir);
            if (POSIX) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            Path file = fileOf(base);
            if (Files.exists(file)) {
                return read(file);
            }
            H2Credentials made = fresh();
            made.write(file);
            return made;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the database credentials beside " + base, e);
        }
    }

    /** The {@code sql} command's side: read them, or say in one line why they cannot be. */
    public static H2Credentials forClient(String url) {
        Path base = baseOf(url);
        if (base == null) {
            throw new IllegalArgumentException("the sql command reads an H2 database file; this URL names none");
        }
        Path file = fileOf(base);
        try {
            return read(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no credentials at " + file + ": has a server run on this database?");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read " + file + ": run sql as the user the server runs as");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static H2Credentials fresh() {
        return new H2Credentials(random(), random());
    }

    private static String random() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static H2Credentials read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        String admin = p.getProperty("admin");
        String reader = p.getProperty("reader");
        if (admin == null || reader == null || !admin.matches("[0-9a-f]{16,}") || !reader.matches("[0-9a-f]{16,}")) {
            throw new IOException(file + " does not hold the database's credentials");
        }
        return new H2Credentials(admin, reader);
    }

    /** Written to a private temporary file first, then moved into place: never readable by others, even for a moment. */
    private void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (POSIX) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        try (Writer out = Files.newBufferedWriter(tmp)) {
            out.write("# stagehand's database passwords: made at random, never printed. Keep this file 0600.\n");
            out.write("admin=" + admin + "\nreader=" + reader + "\n");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
