package dev.stagehand.archive;

import java.util.Arrays;
import java.util.List;

/**
 * A parsed archive URL. {@code gs://bucket/a/b/BUILD} is staged under {@code a/b/BUILD}: the
 * bucket is dropped, as the devserver did. {@code file:///root/a/b/BUILD} is staged under its
 * path relative to the allowed root it lies in (decided by {@link ArchiveSources}).
 */
public record ArchiveUrl(String url, String scheme, String bucket, String path) {

    public static ArchiveUrl parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new InvalidArchiveUrl("archive_url is required");
        }
        String url = raw.strip();
        while (url.endsWith("/") && !url.endsWith("://")) {
            url = url.substring(0, url.length() - 1);
        }
        int sep = url.indexOf("://");
        if (sep <= 0) {
            throw new InvalidArchiveUrl("archive_url must look like gs://bucket/path/build: " + raw);
        }
        String scheme = url.substring(0, sep);
        String rest = url.substring(sep + 3);
        return switch (scheme) {
            case "gs" -> gs(url, rest);
            case "file" -> file(url, rest);
            default -> throw new InvalidArchiveUrl("unsupported archive_url scheme '" + scheme + "' (use gs:// or file://)");
        };
    }

    private static ArchiveUrl gs(String url, String rest) {
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new InvalidArchiveUrl("archive_url needs a bucket and a build path: " + url);
        }
        String path = rest.substring(slash + 1);
        checkSegments(url, path);
        return new ArchiveUrl(url, "gs", rest.substring(0, slash), path);
    }

    private static ArchiveUrl file(String url, String rest) {
        if (!rest.startsWith("/")) {
            throw new InvalidArchiveUrl("file:// archive_url must be absolute (file:///...): " + url);
        }
        String path = rest.substring(1);
        checkSegments(url, path);
        return new ArchiveUrl(url, "file", null, path);
    }

    private static void checkSegments(String url, String path) {
        List<String> parts = Arrays.asList(path.split("/", -1));
        if (path.isEmpty() || parts.stream().anyMatch(p -> p.isEmpty() || p.equals(".") || p.equals("..") || p.contains("\\"))) {
            throw new InvalidArchiveUrl("archive_url has an empty, '.' or '..' path segment: " + url);
        }
    }

    /** The last path part: the build name (e.g. R78-12499.0.0). */
    public String buildName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Thrown for a URL the caller got wrong (HTTP 400). */
    public static final class InvalidArchiveUrl extends IllegalArgumentException {
        public InvalidArchiveUrl(String message) {
            super(message);
        }
    }
}
