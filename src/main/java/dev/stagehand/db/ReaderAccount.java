package dev.stagehand.db;

/**
 * The read-only account the migrations create on both databases (H2 user, PostgreSQL role
 * {@code stagehand_reader}), for operators' SQL: the database itself refuses their writes.
 */
public final class ReaderAccount {
    public static final String USER = "stagehand_reader";
    public static final String PASSWORD = "reader";

    private ReaderAccount() {}

    /**
     * The server's database URL turned into the reader's: for H2, one that shares the file a
     * running server holds open; for PostgreSQL, the same database without the owner's
     * credentials (the reader's are given to the driver instead).
     */
    public static String url(String serverUrl) {
        return switch (Vendor.of(serverUrl)) {
            case H2 -> H2Urls.forReader(serverUrl);
            case POSTGRES -> withoutCredentials(serverUrl);
        };
    }

    static String withoutCredentials(String url) {
        int query = url.indexOf('?');
        if (query < 0) {
            return url;
        }
        String kept = String.join("&", java.util.Arrays.stream(url.substring(query + 1).split("&"))
                .filter(p -> !p.startsWith("user=") && !p.startsWith("password="))
                .toList());
        return url.substring(0, query) + (kept.isEmpty() ? "" : "?" + kept);
    }
}
