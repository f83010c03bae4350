package dev.stagehand.cli;

import dev.stagehand.db.H2Urls;
import dev.stagehand.db.ReaderAccount;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Read-only SQL over the job history, also while a server has the database open (H2's
 * AUTO_SERVER), or on PostgreSQL. It connects as the read-only account, so writes are refused
 * by the database.
 */
@Command(name = "sql", mixinStandardHelpOptions = true, description = "Run a read-only SQL query and print a table.")
final class SqlCommand implements Callable<Integer> {
    @Option(names = "--db", description = "JDBC URL of the job database (default: H2 file ./db/stagehand).")
    String db;

    @Parameters(index = "0", description = "The query, e.g. \"SELECT * FROM job_history\".")
    String query;

    @Override
    public Integer call() {
        H2Urls.keepServersOnLoopback();
        String url;
        try {
            url = ReaderAccount.url(db != null ? db : H2Urls.defaultUrl());
        } catch (IllegalArgumentException e) {
            System.err.println("sql: " + e.getMessage());
            return 2;
        }
        try (Connection c = DriverManager.getConnection(url, ReaderAccount.USER, ReaderAccount.PASSWORD)) {
            c.setReadOnly(true);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
                print(rs, System.out);
            }
            return 0;
        } catch (SQLException e) {
            String reason = e.getMessage().lines().findFirst().orElse(e.toString());
            System.err.println("sql: " + (reason.contains("only allowed for a query") ? "only queries are allowed (read-only)" : reason));
            return 1;
        }
    }

    static void print(ResultSet rs, PrintStream out) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        List<String> header = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            header.add(meta.getColumnLabel(i).toLowerCase());
        }
        TextTable table = new TextTable(header);
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= header.size(); i++) {
                Object v = rs.getObject(i);
                row.add(v == null ? "" : v.toString());
            }
            table.add(row);
        }
        table.print(out);
    }
}
