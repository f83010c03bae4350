package dev.stagehand.common;

/**
 * Text a caller sent, made safe to quote in an error message or a log line: control characters
 * escaped (a newline cannot forge a log line) and at most {@link #MAX} characters kept.
 */
public final class CallerText {
    public static final int MAX = 200;

    private CallerText() {}

    /** The value in single quotes, escaped and shortened. */
    public static String quote(String value) {
        return "'" + escape(value) + "'";
    }

    public static String escape(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX) + 8);
        for (int i = 0; i < value.length(); i++) {
            if (out.length() >= MAX) {
                return out.append("…").toString();
            }
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else if (Character.isSurrogate(c) && !validSurrogateAt(value, i)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
