package dev.stagehand.queue;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where builds are staged: on one volume every node shares ({@code --placement shared}, the
 * default), or each on the local disk of one home node chosen by hashing ({@code hashed}), which
 * peers and redirected clients reach at its {@code advertiseUrl}. With {@code proxyReads}, a read
 * asked on a node that is not the file's home is fetched from the home and passed on instead of
 * redirected (for clients that do not follow redirects).
 */
public record Placement(Mode mode, String advertiseUrl, boolean proxyReads) {
    /** Longest advertise URL (the ledger keeps it per build copy). */
    public static final int MAX_ADVERTISE_URL = 255;
    public static final Placement SHARED = new Placement(Mode.SHARED, null, false);

    public enum Mode { SHARED, HASHED }

    public Placement {
        if (mode == Mode.HASHED) {
            if (advertiseUrl == null) {
                throw new IllegalArgumentException("--placement hashed needs --advertise-url");
            }
            if (!isAdvertisable(advertiseUrl)) {
                throw new IllegalArgumentException("--advertise-url must be an http(s) URL without a trailing '/', query or fragment,"
                        + " at most " + MAX_ADVERTISE_URL + " characters");
            }
        }
    }

    /** Readers are sent to {@code url + path}: an http(s) URL with a host, and nothing after its path. */
    private static boolean isAdvertisable(String url) {
        try {
            URI uri = new URI(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && url.length() <= MAX_ADVERTISE_URL && !url.endsWith("/") && uri.getRawQuery() == null && uri.getRawFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    public static Placement hashed(String advertiseUrl, boolean proxyReads) {
        return new Placement(Mode.HASHED, advertiseUrl, proxyReads);
    }

    public boolean hashed() {
        return mode == Mode.HASHED;
    }

    /** The holder this node writes on build copies it stages: its advertise URL, or '' for the shared volume. */
    public String holder() {
        return hashed() ? advertiseUrl : "";
    }
}
