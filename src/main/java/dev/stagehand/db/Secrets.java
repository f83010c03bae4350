package dev.stagehand.db;

import java.util.regex.Pattern;

/** Passwords kept out of what is printed: a database URL's password, in any text, becomes "***". */
public final class Secrets {
    private static final Pattern QUERY_PASSWORD = Pattern.compile("(?i)(password=)[^&;\\s]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@\\s]+:)[^@/\\s]*(@)");

    private Secrets() {}

    public static String maskUrls(String text) {
        if (text == null) {
            return null;
        }
        return USER_INFO.matcher(QUERY_PASSWORD.matcher(text).replaceAll("$1***")).replaceAll("$1***$2");
    }
}
