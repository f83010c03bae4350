package dev.stagehand.staging;

import dev.stagehand.common.RelativePaths;
import java.nio.file.Path;

/**
 * Build-relative paths that cannot leave the build directory by their spelling. What links on
 * disk do to a path is {@link dev.stagehand.common.RealPaths}' part.
 */
final class SafePaths {
    private SafePaths() {}

    /** A relative, normalised path for an archive entry, or {@link HostileArchive}. */
    static String entryPath(String archive, String entryName) throws HostileArchive {
        if (RelativePaths.hasControl(entryName)) {
            throw new HostileArchive(archive, entryName, "has a control character in its name");
        }
        String name = entryName.replace('\\', '/');
        while (name.startsWith("./")) {
            name = name.substring(2);
        }
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            throw new HostileArchive(archive, entryName, "is an absolute path");
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw new HostileArchive(archive, entryName, "contains '..'");
            }
        }
        return Path.of(name).normalize().toString();
    }

    /**
     * Refuses a symlink unless its target stays in the build however the links it passes are
     * resolved: relative, '..' only at its start and no more of them than the link lies deep
     * (so they climb through real directories, never past the build), then plain names. Every
     * link is created in a real directory ({@link Unpacker}, {@link StagingArea#install}), so by
     * induction any chain of such links ends inside the build, whatever links are added later.
     */
    static void checkLinkTarget(String archive, String entryName, String dest, String target) throws HostileArchive {
        if (target == null || target.isEmpty() || RelativePaths.hasControl(target)) {
            throw new HostileArchive(archive, entryName, "is a symlink with an empty target or control characters in it");
        }
        if (target.startsWith("/")) {
            throw new HostileArchive(archive, entryName, "is a symlink to an absolute path");
        }
        int depth = Path.of(dest).getNameCount() - 1;
        int ups = 0;
        int names = 0;
        for (String part : target.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (names > 0) {
                    throw new HostileArchive(archive, entryName, "is a symlink whose target climbs with '..' after a name");
                }
                ups++;
            } else {
                names++;
            }
        }
        if (ups > depth || ups == depth && names == 0) {
            throw new HostileArchive(archive, entryName, "is a symlink pointing outside the build directory");
        }
    }

    static String join(String dir, String rest) {
        return dir == null || dir.isEmpty() ? rest : Path.of(dir).resolve(rest).normalize().toString();
    }

    /** {@code base/relative}, checked by its spelling to stay inside {@code base}. */
    static Path under(Path base, String relative) {
        Path p = base.resolve(relative).normalize();
        if (!p.startsWith(base) || p.equals(base)) {
            throw new IllegalArgumentException("path escapes its directory: " + relative);
        }
        return p;
    }
}
