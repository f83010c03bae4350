package dev.stagehand.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/** The one connection pool shared by Flyway, jOOQ and Quartz, migrated on open. */
public final class Database implements AutoCloseable {
    private final HikariDataSource pool;
    private final DSLContext dsl;

    private Database(HikariDataSource pool) {
        this.pool = pool;
        this.dsl = DSL.using(pool, SQLDialect.H2, new Settings().withExecuteLogging(false));
    }

    /** Opens the pool and applies every pending migration from {@code migrations/}. */
    public static Database open(String jdbcUrl, int maxConnections) {
        H2Urls.keepServersOnLoopback();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(H2Urls.withDefaults(jdbcUrl));
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(maxConnections);
        config.setPoolName("stagehand");
        HikariDataSource pool = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration/h2").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool);
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
