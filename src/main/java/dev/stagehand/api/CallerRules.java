package dev.stagehand.api;

import dev.stagehand.api.http.CrossSite;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;

/**
 * Who may call what. Any caller may stage and read, as lab clients always could; but
 * <ul>
 *   <li>a request from another site (a web page in a lab browser) is refused, whatever it asks,
 *       except the few reads that change nothing and mean nothing to another site;
 *   <li>the JSON API's POSTs take only {@code Content-Type: application/json}, which a cross-site
 *       form cannot send without the browser asking first;
 *   <li>with {@code --admin-token-file}, destructive and admin calls ({@code clean=True}, the JSON
 *       API's POSTs other than a plain stage) need {@code Authorization: Bearer TOKEN}.
 * </ul>
 */
final class CallerRules {
    /** Reads another site may make: a link to a health page or the metrics harms nothing. */
    private static final Set<String> CROSS_SITE_READS = Set.of("/check_health", "/metrics", "/api/v1/openapi.json");

    private final byte[] token;

    private CallerRules(byte[] token) {
        this.token = token;
    }

    /** No token needed. */
    static CallerRules open() {
        return new CallerRules(null);
    }

    /** The token in {@code file} (its first line), or none when {@code file} is null. */
    static CallerRules fromFile(Path file) throws IOException {
        if (file == null) {
            return open();
        }
        String token = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        if (token.length() < 16) {
            throw new IOException("the admin token in " + file + " is shorter than 16 characters");
        }
        return new CallerRules(token.getBytes(StandardCharsets.UTF_8));
    }

    boolean needsToken() {
        return token != null;
    }

    /** Before every route: cross-site requests and mistyped JSON API POSTs are refused; admin POSTs need the token. */
    void check(Context ctx) {
        if (crossSite(ctx) && !(ctx.method() == HandlerType.GET && CROSS_SITE_READS.contains(ctx.path()))) {
            throw new CallerRefused(403, "forbidden", "cross-site requests are refused");
        }
        if (ctx.method() == HandlerType.POST && ctx.path().startsWith("/api/")) {
            String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].strip().toLowerCase(Locale.ROOT);
            if (!type.equals("application/json")) {
                throw new CallerRefused(415, "unsupported_media_type", "the JSON API takes Content-Type: application/json");
            }
            if (!ctx.path().equals("/api/v1/stage")) {
                requireAdmin(ctx, "this call");
            }
        }
    }

    /** {@code what} (e.g. "clean=True") needs the admin token, when one is configured. */
    void requireAdmin(Context ctx, String what) {
        if (token == null) {
            return;
        }
        String header = ctx.header("Authorization");
        byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(token, given)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"stagehand\"");
            throw new CallerRefused(401, "unauthorized", what + " needs the admin token: send Authorization: Bearer TOKEN");
        }
    }

    /**
     * Sent by another site: the browser says so ({@code Sec-Fetch-Site: cross-site}, or
     * {@code same-site} from another origin of the same site), or the {@code Origin} it sends is
     * not this server's own. Lab clients send neither header.
     */
    private static boolean crossSite(Context ctx) {
        return CrossSite.of(ctx.header("Sec-Fetch-Site"), ctx.header("Origin"), ctx.header("Host"));
    }
}
