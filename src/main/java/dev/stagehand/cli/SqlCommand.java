package dev.stagehand.cli;

import dev.stagehand.db.H2Urls;
import dev.stagehand.db.OperatorQuery;
import dev.stagehand.db.ReaderAccount;
import dev.stagehand.db.Secrets;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * One read-only SQL query over the job history, also while a server has the database open (H2's
 * AUTO_SERVER), or on PostgreSQL. The connection cannot write ({@link ReaderAccount}); the query
 * must be one statement that reads without locking rows ({@link OperatorQuery}), and is stopped
 * after {@code --timeout-s}.
 */
@Command(name = "sql", mixinStandardHelpOptions = true, description = "Run one read-only SQL query and print a table.")
final class SqlCommand implements Callable<Integer> {
    @Option(names = "--db", description = "JDBC URL of the job database (default: H2 file ./db/stagehand).")
    String db;

    @Option(names = "--db-password-file", description = "File holding the PostgreSQL user's password, when the URL has none.")
    Path passwordFile;

    @Option(names = "--timeout-s", defaultValue = "30", description = "Seconds the query may run (default ${DEFAULT-VALUE}).")
    long timeoutS;

    @Parameters(index = "0", description = "The query, e.g. \"SELECT * FROM job_history\".")
    String query;

    @Override
    public Integer call() {
        String url = db != null ? db : H2Urls.defaultUrl();
        String checked;
        String password;
        try {
            checked = OperatorQuery.check(query);
            password = passwordFile == null ? null : Files.readString(passwordFile).strip();
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("sql: " + e.getMessage());
            return 2;
        }
        try (Connection c = ReaderAccount.open(url, password, Duration.ofSeconds(timeoutS));
             PreparedStatement st = c.prepareStatement(checked)) {
            st.setQueryTimeout((int) Math.min(Integer.MAX_VALUE, timeoutS));
            try (ResultSet rs = st.executeQuery()) {
                print(rs, System.out);
            }
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("sql: " + e.getMessage());
            return 2;
        } catch (SQLException e) {
            String reason = Secrets.maskUrls(e.getMessage().lines().findFirst().orElse(e.toString()));
            System.err.println("sql: " + (reason.contains("only allowed for a query") || reason.contains("read-only transaction")
                    || reason.contains("Not enough rights") ? "the database refused it: only reading is allowed (" + reason + ")" : reason));
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
