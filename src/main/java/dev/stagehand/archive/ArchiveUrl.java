package dev.stagehand.archive;

import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import dev.stagehand.common.RelativePaths;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * A parsed archive URL: {@code gs://bucket/path/BUILD} or {@code file:///abs/path/BUILD}. Anything
 * else, or anything that could not be a clean object prefix or directory, is the caller's mistake.
 */
public record ArchiveUrl(String url, String scheme, String bucket, String path) {
    /** Longest archive URL accepted; the ledger stores it, and no real build path comes close. */
    public static final int MAX_LENGTH = 1024;

    public static ArchiveUrl parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new InvalidRequest("archive_url is required");
        }
        if (raw.length() > MAX_LENGTH) {
            throw new InvalidRequest("archive_url is longer than " + MAX_LENGTH + " characters");
        }
        String url = raw.strip();
        if (url.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '?' || c == '#' || c == '\uFFFD' || Character.isSurrogate((char) c))) {
            throw new InvalidRequest("archive_url contains a control character, '?', '#' or invalid UTF-8: " + CallerText.quote(raw));
        }
        while (url.endsWith("/") && !url.endsWith("://")) {
            url = url.substring(0, url.length() - 1);
        }
        int sep = url.indexOf("://");
        if (sep <= 0) {
            throw new InvalidRequest("archive_url must look like gs://bucket/path/build: " + CallerText.quote(raw));
        }
        String scheme = url.substring(0, sep);
        String rest = url.substring(sep + 3);
        return switch (scheme) {
            case "gs" -> gs(url, rest);
            case "file" -> file(url, rest);
            default -> throw new InvalidRequest("unsupported archive_url scheme " + CallerText.quote(scheme) + " (use gs:// or file://)");
        };
    }

    private static ArchiveUrl gs(String url, String rest) {
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new InvalidRequest("archive_url needs a bucket and a build path: " + CallerText.quote(url));
        }
        String bucket = rest.substring(0, slash);
        if (!isBucketName(bucket)) {
            throw new InvalidRequest("archive_url names no valid GCS bucket (3-63 lower-case letters, digits, '-', '_'"
                    + " and '.', starting and ending with a letter or digit): " + CallerText.quote(url));
        }
        String path = rest.substring(slash + 1);
        checkSegments(url, path);
        return new ArchiveUrl(url, "gs", bucket, path);
    }

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]*[a-z0-9]");
    private static final Pattern IP_ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** GCS's naming rules for buckets: what GCS could never hold is refused before anything is queued. */
    static boolean isBucketName(String bucket) {
        if (!BUCKET.matcher(bucket).matches() || bucket.length() < 3 || bucket.length() > 222
                || IP_ADDRESS.matcher(bucket).matches() || bucket.startsWith("goog") || bucket.contains("google")
                || bucket.contains("..")) {
            return false;
        }
        return Arrays.stream(bucket.split("\\.")).allMatch(part -> !part.isEmpty() && part.length() <= 63)
                && (bucket.contains(".") || bucket.length() <= 63);
    }

    private static ArchiveUrl file(String url, String rest) {
        if (!rest.startsWith("/")) {
            throw new InvalidRequest("file:// archive_url must be absolute (file:///...): " + CallerText.quote(url));
        }
        String path = rest.substring(1);
        checkSegments(url, path);
        return new ArchiveUrl(url, "file", null, path);
    }

    private static void checkSegments(String url, String path) {
        if (!RelativePaths.isClean(path)) {
            throw new InvalidRequest("archive_url has an empty, '.' or '..' path segment: " + CallerText.quote(url));
        }
    }
}
