package dev.stagehand.api;

import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Devserver-style parameters: from the query string or a form body, comma-separated lists, strict booleans. */
final class Params {
    private Params() {}

    static String get(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null && ctx.method().name().equals("POST")) {
            String type = ctx.contentType();
            if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                throw new InvalidRequest("send parameters in the query string or as a form (application/x-www-form-urlencoded)");
            }
            value = ctx.formParam(name);
        }
        return value == null || value.isBlank() ? null : value.strip();
    }

    static String required(Context ctx, String name) {
        String value = get(ctx, name);
        if (value == null) {
            throw new InvalidRequest("missing parameter " + name);
        }
        return value;
    }

    static List<String> list(Context ctx, String name) {
        String value = get(ctx, name);
        if (value == null) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** True/False/true/false/1/0/yes/no; anything else is the caller's mistake (400). */
    static boolean bool(Context ctx, String name) {
        String value = get(ctx, name);
        if (value == null) {
            return false;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new InvalidRequest(name + " must be True or False, not " + CallerText.quote(value));
        };
    }

    static Integer integer(Context ctx, String name) {
        String value = get(ctx, name);
        if (value == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidRequest(name + " must be a non-negative whole number, not " + CallerText.quote(value));
        }
    }
}
