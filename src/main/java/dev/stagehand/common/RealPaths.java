package dev.stagehand.common;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Paths checked on disk, not by their spelling: a symlink (made by an archive, an earlier
 * artifact or an operator) can make {@code base/a/b} lie anywhere, so a read resolves the real
 * path and compares it with the base's real path, and a write refuses to pass through any link.
 */
public final class RealPaths {
    private RealPaths() {}

    /** Refused: the path reaches outside its base through a link, or passes through one where none may be. */
    public static final class Escape extends IOException {
        public Escape(String message) {
            super(message);
        }
    }

    /**
     * For a read: the real path of {@code base/relative}, when it exists and, with every link
     * followed, is {@code base} itself or lies inside it; empty otherwise (missing, or elsewhere).
     */
    public static Optional<Path> inside(Path base, String relative) {
        return inside(base, base.resolve(relative));
    }

    /** As {@link #inside(Path, String)}, for a path already joined to its base. */
    public static Optional<Path> inside(Path base, Path path) {
        try {
            Path real = path.toRealPath();
            return real.startsWith(base.toRealPath()) ? Optional.of(real) : Optional.empty();
        } catch (IOException missingOrLoop) {
            return Optional.empty();
        }
    }

    /** Whether {@code path} exists and its real path is inside {@code base}'s. */
    public static boolean isInside(Path base, Path path) {
        return inside(base, path).isPresent();
    }

    /**
     * For a write: creates {@code dir} (under {@code base}) one part at a time, refusing any part
     * that is a symlink or not a directory, so that the write that follows lands where its name
     * says. {@code base} itself is taken as it is (the operator chose it).
     */
    public static void createDirectories(Path base, Path dir) throws IOException {
        Path relative = checkedRelative(base, dir);
        Path at = base;
        for (Path part : relative) {
            at = at.resolve(part);
            if (Files.isSymbolicLink(at)) {
                throw new Escape(base.relativize(at) + " is a symlink; nothing is written through one");
            }
            try {
                Files.createDirectory(at);
            } catch (FileAlreadyExistsException exists) {
                if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                    throw new Escape(base.relativize(at) + " is in the way: it is not a directory");
                }
            }
        }
    }

    /**
     * Before a write: none of {@code path}'s parents under {@code base} that exist is a symlink or
     * a file (those missing will be created by {@link #createDirectories}).
     */
    public static void checkWritable(Path base, Path path) throws IOException {
        Path relative = checkedRelative(base, path).getParent();
        if (relative == null) {
            return;
        }
        Path at = base;
        for (Path part : relative) {
            at = at.resolve(part);
            if (Files.isSymbolicLink(at)) {
                throw new Escape(base.relativize(at) + " is a symlink; nothing is written through one");
            }
            if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                throw new Escape(base.relativize(at) + " is in the way: it is not a directory");
            }
        }
    }

    private static Path checkedRelative(Path base, Path path) throws Escape {
        Path normal = path.normalize();
        if (!normal.startsWith(base) || !normal.equals(path)) {
            throw new Escape(path + " is not a plain path under " + base);
        }
        return base.relativize(normal);
    }
}
