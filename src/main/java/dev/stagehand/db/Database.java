package dev.stagehand.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** The one connection pool shared by Flyway, jOOQ and Quartz, migrated on open. */
public final class Database implements AutoCloseable {
    private final HikariDataSource pool;
    private final Vendor vendor;
    private final DSLContext dsl;

    private Database(HikariDataSource pool, Vendor vendor) {
        this.pool = pool;
        this.vendor = vendor;
        this.dsl = DSL.using(pool, vendor.dialect(), vendor.jooqSettings());
    }

    /** Opens the pool and applies every pending migration of the URL's database. */
    public static Database open(String jdbcUrl, int maxConnections) {
        Vendor vendor = Vendor.of(jdbcUrl);
        HikariConfig config = new HikariConfig();
        if (vendor == Vendor.H2) {
            H2Urls.keepServersOnLoopback();
            config.setJdbcUrl(H2Urls.withDefaults(jdbcUrl));
            config.setUsername("sa");
            config.setPassword("");
        } else {
            config.setJdbcUrl(jdbcUrl); // user and password in the URL, as PostgreSQL's driver reads them
        }
        config.setMaximumPoolSize(maxConnections);
        config.setPoolName("stagehand");
        HikariDataSource pool = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(pool).locations(vendor.migrations()).load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool, vendor);
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
        pool.close();
    }
}
