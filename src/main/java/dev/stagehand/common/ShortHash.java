package dev.stagehand.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A short, stable name derived from a long one (an advertise URL) where only identifiers fit. */
public final class ShortHash {
    private ShortHash() {}

    /** The first {@code bytes} bytes of SHA-256 of {@code text}, in lower-case hex. */
    public static String hex(String text, int bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
