package dev.stagehand.api.http;

import java.net.URI;
import java.util.Locale;

/**
 * Whether a request comes from another site (a web page in a lab browser): the browser's
 * {@code Sec-Fetch-Site} when it sends one, else an {@code Origin} that is not this server's.
 * The routes' caller rules and the caching protocol's filter (which runs before the routes)
 * judge by this one test.
 */
public final class CrossSite {
    private CrossSite() {}

    public static boolean of(String secFetchSite, String origin, String host) {
        if (secFetchSite != null && !secFetchSite.equalsIgnoreCase("same-origin") && !secFetchSite.equalsIgnoreCase("none")) {
            return true;
        }
        return origin != null && !sameOrigin(origin, host);
    }

    private static boolean sameOrigin(String origin, String host) {
        if (host == null || origin.equals("null")) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            if (uri.getHost() == null) {
                return false;
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            String expected = (uri.getHost() + ":" + port).toLowerCase(Locale.ROOT);
            String given = host.toLowerCase(Locale.ROOT);
            return expected.equals(given.contains(":") && !given.endsWith("]") ? given : given + ":" + port);
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }
}
