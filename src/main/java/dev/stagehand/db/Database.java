package dev.stagehand.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** The one connection pool shared by Flyway, jOOQ and Quartz, migrated on open. */
public final class Database implements AutoCloseable {
    /** H2's error code for a wrong user name or password. */
    private static final int H2_WRONG_PASSWORD = 28000;
    /** H2's error code for a database file another process holds open. */
    private static final int H2_IN_USE = 90020;

    private final HikariDataSource pool;
    private final Vendor vendor;
    private final DSLContext dsl;
    /** H2 only (null on PostgreSQL, which keeps its own files). */
    private final H2FileCompaction compaction;

    private Database(HikariDataSource pool, Vendor vendor) {
        this.pool = pool;
        this.vendor = vendor;
        this.compaction = vendor == Vendor.H2 ? H2FileCompaction.start(pool) : null;
        this.dsl = DSL.using(pool, vendor.dialect(), vendor.jooqSettings());
    }

    public static Database open(String jdbcUrl, int maxConnections) {
        return open(jdbcUrl, null, maxConnections);
    }

    /**
     * Opens the pool and applies every pending migration of the URL's database. An H2 file gets
     * random passwords kept beside it ({@link H2Credentials}); PostgreSQL takes its user from the
     * URL and its password from the URL or {@code password} (read from a file, out of {@code ps}).
     */
    public static Database open(String jdbcUrl, String password, int maxConnections) {
        Vendor vendor = Vendor.of(jdbcUrl);
        HikariConfig config = new HikariConfig();
        H2Credentials h2 = null;
        if (vendor == Vendor.H2) {
            H2Urls.keepServersOnLoopback();
            h2 = H2Credentials.forServer(jdbcUrl);
            String url = H2Urls.withDefaults(jdbcUrl);
            refuseIfOpenElsewhere(jdbcUrl, h2);
            adoptLegacyPassword(url, h2);
            config.setJdbcUrl(url);
            config.setUsername("sa");
            config.setPassword(h2.admin());
        } else {
            config.setJdbcUrl(jdbcUrl); // the user (and perhaps the password) in the URL, as PostgreSQL's driver reads them
            if (password != null) {
                config.setPassword(password);
            }
        }
        config.setMaximumPoolSize(maxConnections);
        config.setPoolName("stagehand");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            throw new DatabaseSetupError("cannot connect to the database " + Secrets.maskUrls(jdbcUrl) + ": "
                    + Secrets.maskUrls(rootMessage(e)), e);
        }
        try {
            Migrations.run(pool, vendor);
            if (h2 != null) {
                grantReader(pool, h2);
            }
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool, vendor);
    }

    /**
     * One H2 file serves one node: a second server would reach the first one's database through
     * AUTO_SERVER, take the live node for a dead one and run its jobs. Opening the file without
     * AUTO_SERVER fails while another process holds it, and that is the test.
     */
    private static void refuseIfOpenElsewhere(String jdbcUrl, H2Credentials h2) {
        String exclusive = H2Urls.exclusive(jdbcUrl);
        if (exclusive == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(exclusive, "sa", h2.admin())) {
            return;
        } catch (SQLException e) {
            if (e.getErrorCode() == H2_IN_USE) {
                throw new DatabaseSetupError("another process has the database " + H2Credentials.baseOf(jdbcUrl)
                        + " open (a stagehand server, or sql): an H2 database serves one node; several nodes need PostgreSQL"
                        + " (--db jdbc:postgresql://...)", e);
            }
            // not there yet, or made with the old empty password: nobody else has it open
        }
    }

    /**
     * A database made before passwords were random has an admin with an empty one: it gets the
     * random one now. The first connection also creates a new database, with the random one.
     */
    private static void adoptLegacyPassword(String url, H2Credentials h2) {
        try (Connection c = DriverManager.getConnection(url, "sa", h2.admin())) {
            return;
        } catch (SQLException e) {
            if (e.getErrorCode() != H2_WRONG_PASSWORD) {
                throw new DatabaseSetupError("cannot open the database " + Secrets.maskUrls(url) + ": " + rootMessage(e), e);
            }
        }
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            st.execute("ALTER USER SA SET PASSWORD '" + h2.admin() + "'");
        } catch (SQLException e) {
            throw new DatabaseSetupError("the database " + Secrets.maskUrls(url) + " refuses the password kept in "
                    + H2Credentials.fileOf(H2Credentials.baseOf(url)).getFileName() + " beside it", e);
        }
    }

    /** The read-only account of the {@code sql} command: SELECT only (no admin rights, so no aliases, files or locks on tables). */
    private static void grantReader(DataSource pool, H2Credentials h2) {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE USER IF NOT EXISTS " + ReaderAccount.USER + " PASSWORD '" + h2.reader() + "'");
            st.execute("ALTER USER " + ReaderAccount.USER + " SET PASSWORD '" + h2.reader() + "'");
            st.execute("GRANT SELECT ON SCHEMA PUBLIC TO " + ReaderAccount.USER);
        } catch (SQLException e) {
            throw new DatabaseSetupError("cannot set up the read-only account: " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.lines().findFirst().orElse("");
    }

    /** The directory of an H2 file database (for its disk's free space); null for one that is not a local file. */
    public static java.nio.file.Path directoryOf(String jdbcUrl) {
        if (Vendor.of(jdbcUrl) != Vendor.H2) {
            return null;
        }
        java.nio.file.Path base = H2Credentials.baseOf(jdbcUrl);
        return base == null ? null : base.getParent();
    }

    public Vendor vendor() {
        return vendor;
    }

    public DSLContext dsl() {
        return dsl;
    }

    public DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        if (compaction != null) {
            compaction.close();
        }
        pool.close();
    }
}
