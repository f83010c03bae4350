package dev.stagehand.db;

import java.util.Properties;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;

/**
 * What differs between the databases stagehand runs on, in one place: the jOOQ dialect, the
 * migrations folder, Quartz's driver delegate, and whether Quartz runs as a cluster. Embedded
 * H2 is one node; PostgreSQL is shared by any number of nodes.
 */
public enum Vendor {
    H2(SQLDialect.H2, "h2", H2QuartzDelegate.class.getName(), false),
    POSTGRES(SQLDialect.POSTGRES, "postgresql", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate", true);

    private final SQLDialect dialect;
    private final String migrations;
    private final String quartzDelegate;
    private final boolean clustered;

    Vendor(SQLDialect dialect, String migrations, String quartzDelegate, boolean clustered) {
        this.dialect = dialect;
        this.migrations = migrations;
        this.quartzDelegate = quartzDelegate;
        this.clustered = clustered;
    }

    public static Vendor of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRES;
        }
        throw new IllegalArgumentException("unsupported database URL (use jdbc:h2:... or jdbc:postgresql:...): "
                + Secrets.maskUrls(jdbcUrl));
    }

    public SQLDialect dialect() {
        return dialect;
    }

    /** Flyway's location of this database's migrations. */
    String migrations() {
        return "classpath:db/migration/" + migrations;
    }

    /** The folder under migrations/ that holds this database's scripts. */
    String folder() {
        return migrations;
    }

    /** jOOQ's settings: PostgreSQL folds unquoted names to lower case, as its tables were created. */
    Settings jooqSettings() {
        Settings settings = new Settings().withExecuteLogging(false);
        return this == POSTGRES ? settings.withRenderQuotedNames(RenderQuotedNames.NEVER) : settings;
    }

    /** Whether several nodes share this database (Quartz clustering, per-node orphan detection). */
    public boolean clustered() {
        return clustered;
    }

    /** Quartz's job-store settings for this database. */
    public void quartz(Properties p) {
        p.setProperty("org.quartz.jobStore.driverDelegateClass", quartzDelegate);
        p.setProperty("org.quartz.jobStore.isClustered", Boolean.toString(clustered));
        if (clustered) {
            p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
            // A node hears at once of the triggers it adds itself, but of another node's only when
            // it next looks: by default after up to 30 s idle. A busy node's new jobs would wait.
            p.setProperty("org.quartz.scheduler.idleWaitTime", "1000");
        }
    }
}
