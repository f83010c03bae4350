package dev.stagehand.db;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.ValidateOutput;

/**
 * Applies the migrations of the database's vendor. One script was edited after release: V3 no
 * longer creates a login role with a fixed password (H2's reader account is now made by
 * {@link Database} with a random one; PostgreSQL needs no role at all). A database that ran the
 * old V3 has its recorded checksum brought up to date, and only when that checksum is the old
 * script's: any other mismatch still stops the start, as Flyway intends.
 */
final class Migrations {
    /** Vendor folder and version of each edited script, with the checksum of what it replaced. */
    private static final Map<String, Integer> EDITED = Map.of("h2:3", 228721421, "postgresql:3", 1306181048);

    private Migrations() {}

    static void run(DataSource pool, Vendor vendor) {
        Flyway flyway = Flyway.configure().dataSource(pool).locations(vendor.migrations()).load();
        try {
            List<ValidateOutput> invalid = flyway.validateWithResult().invalidMigrations;
            if (!invalid.isEmpty() && invalid.stream().allMatch(v -> wasEditedHere(flyway, vendor, v))) {
                flyway.repair();
            }
            flyway.migrate();
        } catch (FlywayException e) {
            throw new DatabaseSetupError(explain(e), e);
        }
    }

    private static boolean wasEditedHere(Flyway flyway, Vendor vendor, ValidateOutput v) {
        Integer old = EDITED.get(vendor.folder() + ":" + v.version);
        if (old == null) {
            return false;
        }
        for (MigrationInfo applied : flyway.info().applied()) {
            if (applied.getVersion() != null && applied.getVersion().getVersion().equals(v.version)) {
                return old.equals(applied.getChecksum());
            }
        }
        return false;
    }

    /** Flyway's error as one sentence; a missing privilege names the grant that would fix it. */
    static String explain(FlywayException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "42501".equals(sql.getSQLState())) {
                return "the database user may not create stagehand's tables (" + firstLine(sql.getMessage()) + "): make it the"
                        + " owner of its database, e.g. as a superuser: ALTER DATABASE <db> OWNER TO <user>; then, connected to"
                        + " <db>: ALTER SCHEMA public OWNER TO <user>";
            }
        }
        return "cannot bring the database's tables up to date: " + oneLine(e.getMessage());
    }

    private static String firstLine(String s) {
        return s == null ? "" : Secrets.maskUrls(s.lines().filter(l -> !l.isBlank()).findFirst().orElse(""));
    }

    /** Flyway's report on one line (a validation names what failed on the lines after its first), kept short. */
    private static String oneLine(String s) {
        String line = s == null ? "" : Secrets.maskUrls(String.join(" ", s.lines().map(String::strip).filter(l -> !l.isEmpty()
                && !l.startsWith("Need more flexibility") && !l.startsWith("https://")).toList()));
        return line.length() > 400 ? line.substring(0, 400) + "…" : line;
    }
}
