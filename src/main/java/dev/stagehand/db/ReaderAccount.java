package dev.stagehand.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * A connection that can only read, for operators' SQL ({@code stagehand sql}). On H2 it is the
 * read-only account {@link Database} keeps (SELECT rights only; its random password is read from
 * the file only the server's user may read). On PostgreSQL it is the owner's own connection in a
 * READ ONLY transaction: the server refuses every write and row lock in it. Either way the
 * statement is stopped after {@code timeout}.
 */
public final class ReaderAccount {
    public static final String USER = "stagehand_reader";

    private ReaderAccount() {}

    /** A read-only connection to the database a server at {@code serverUrl} uses; {@code password} for PostgreSQL, if not in the URL. */
    public static Connection open(String serverUrl, String password, Duration timeout) throws SQLException {
        return switch (Vendor.of(serverUrl)) {
            case H2 -> {
                H2Urls.keepServersOnLoopback();
                Connection c = DriverManager.getConnection(url(serverUrl), USER, H2Credentials.forClient(serverUrl).reader());
                try (Statement st = c.createStatement()) {
                    st.execute("SET QUERY_TIMEOUT " + timeout.toMillis());
                    st.execute("SET LOCK_TIMEOUT " + Math.min(timeout.toMillis(), 1000));
                }
                yield c;
            }
            case POSTGRES -> {
                Properties props = new Properties();
                if (password != null) {
                    props.setProperty("password", password);
                }
                Connection c = DriverManager.getConnection(serverUrl, props);
                c.setAutoCommit(false);
                c.setReadOnly(true); // the driver begins each transaction READ ONLY
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL statement_timeout = " + timeout.toMillis());
                    st.execute("SET LOCAL lock_timeout = " + Math.min(timeout.toMillis(), 1000));
                }
                yield c;
            }
        };
    }

    /** For H2: a URL that shares the file a running server holds open (through AUTO_SERVER), or opens it if none does. */
    static String url(String serverUrl) {
        return H2Urls.forReader(serverUrl);
    }
}
