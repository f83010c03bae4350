package dev.stagehand.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Another local process trying a database: {@code JdbcProbe URL USER PASSWORD [SQL]} prints
 * "CONNECTED" (and "RAN" once the statement ran) or "REFUSED <reason>". Started as a child JVM.
 */
public final class JdbcProbe {
    private JdbcProbe() {}

    public static void main(String[] args) {
        try (Connection c = DriverManager.getConnection(args[0], args[1], args[2])) {
            System.out.println("CONNECTED");
            if (args.length > 3) {
                c.createStatement().execute(args[3]);
                System.out.println("RAN");
            }
        } catch (SQLException e) {
            System.out.println("REFUSED " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
