package dev.stagehand.staging;

import java.nio.file.Path;

/** Build-relative paths that cannot leave the build directory. */
final class SafePaths {
    private SafePaths() {}

    /** A relative, normalised path for an archive entry, or {@link HostileArchive}. */
    static String entryPath(String archive, String entryName) throws HostileArchive {
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

    /** Rejects a symlink whose target, seen from where the link lands, leaves the build directory. */
    static void checkLinkTarget(String archive, String entryName, String dest, String target) throws HostileArchive {
        if (target.startsWith("/")) {
            throw new HostileArchive(archive, entryName, "is a symlink to an absolute path");
        }
        Path root = Path.of("/build");
        Path resolved = root.resolve(dest).getParent().resolve(target).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw new HostileArchive(archive, entryName, "is a symlink pointing outside the build directory");
        }
    }

    static String join(String dir, String rest) {
        return dir == null || dir.isEmpty() ? rest : Path.of(dir).resolve(rest).normalize().toString();
    }

    /** {@code base/relative}, checked to stay inside {@code base}. */
    static Path under(Path base, String relative) {
        Path p = base.resolve(relative).normalize();
        if (!p.startsWith(base) || p.equals(base)) {
            throw new IllegalArgumentException("path escapes " + base + ": " + relative);
        }
        return p;
    }

    /** Validates a caller-given file name ({@code files=}): relative, no '..', no empty parts. */
    static boolean isSafeFileName(String name) {
        if (name == null || name.isEmpty() || name.startsWith("/") || name.contains("\\")
                || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\uFFFD')) {
            return false;
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals("..") || part.equals(".")) {
                return false;
            }
        }
        return true;
    }
}
