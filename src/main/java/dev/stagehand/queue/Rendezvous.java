package dev.stagehand.queue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Optional;

/**
 * Rendezvous (highest-random-weight) hashing: a key's home is the node whose hash of (node, key)
 * is highest. Every node computes the same home from the same set of nodes, with no state; when
 * one node of N joins or leaves, only the keys it wins or held move (about 1/N), unlike hashing
 * modulo N, which moves almost all of them.
 */
public final class Rendezvous {
    private Rendezvous() {}

    /** The node among {@code nodes} that {@code key} lives on (empty when there are none). */
    public static Optional<String> home(String key, Collection<String> nodes) {
        String best = null;
        long bestWeight = 0;
        for (String node : nodes) {
            long w = weight(node, key);
            // unsigned comparison, and ties (never seen in practice) to the smaller name, so every node agrees
            if (best == null || Long.compareUnsigned(w, bestWeight) > 0 || (w == bestWeight && node.compareTo(best) < 0)) {
                best = node;
                bestWeight = w;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The first 64 bits of SHA-256 over node, a separator no URL holds, and key. */
    static long weight(String node, String key) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
        sha.update(node.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        byte[] d = sha.digest(key.getBytes(StandardCharsets.UTF_8));
        long w = 0;
        for (int i = 0; i < 8; i++) {
            w = (w << 8) | (d[i] & 0xff);
        }
        return w;
    }
}
