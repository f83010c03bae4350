package dev.stagehand.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commits written at once (WRITE_DELAY=0) leave their chunks in the H2 file; the compaction takes them back online. */
class H2FileCompactionTest {
    @TempDir Path dir;

    private static void churn(Database db, int updates, String tag) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE churn SET v = ? WHERE id = ?")) {
            for (int i = 0; i < updates; i++) { // one commit each, as the queue's writes are
                update.setString(1, tag + i);
                update.setInt(2, i % 1000);
                update.executeUpdate();
            }
        }
    }

    @Test
    void aBloatedFileShrinksWhileCommitsGoOnAndNothingIsLost() throws Exception {
        try (Database db = TestDb.open(dir, false)) {
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE churn (id INT PRIMARY KEY, v VARCHAR(100))");
                st.execute("INSERT INTO churn SELECT X, 'v' FROM SYSTEM_RANGE(0, 999)");
            }
            Path file = dir.resolve("db/stagehand.mv.db");
            H2FileCompaction compaction = new H2FileCompaction(db.dataSource(), 8L << 20);
            assertEquals(Files.size(file), compaction.runOnce(), "below the floor: left alone");
            churn(db, 8000, "a");
            long bloated = Files.size(file);
            assertTrue(bloated > 16L << 20, "the commits bloated the file: " + bloated);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    churn(db, 2000, "b");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            long after = compaction.runOnce();
            writer.get();
            assertTrue(after < bloated / 4, "compacted from " + bloated + " to " + after);
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(CASE WHEN v LIKE 'b%' THEN 1 END) FROM churn")) {
                rs.next();
                assertEquals(1000, rs.getInt(1));
                assertEquals(1000, rs.getInt(2), "every row holds the writer's last commit");
            }
        }
    }
}
