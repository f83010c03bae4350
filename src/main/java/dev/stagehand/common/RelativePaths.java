package dev.stagehand.common;

/**
 * The one rule for a relative path that a caller or an archive names: parts separated by '/',
 * none empty, '.' or '..', no backslash, no control character. Such a path cannot climb out of
 * the directory it is joined to by its spelling; {@link RealPaths} checks the links on disk.
 */
public final class RelativePaths {
    private RelativePaths() {}

    public static boolean isClean(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.indexOf('\\') >= 0 || hasControl(path)) {
            return false;
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** A control character (including newline), DEL, or the replacement character of invalid UTF-8. */
    public static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\uFFFD');
    }
}
