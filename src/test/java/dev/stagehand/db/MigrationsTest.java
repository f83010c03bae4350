package dev.stagehand.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.TestDb;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one script edited after release (V3, which once made a login role with a fixed password). */
@Tag("integration")
class MigrationsTest {
    @TempDir Path dir;

    private void recordChecksumOfV3(int checksum) {
        try (Database db = TestDb.open(dir)) {
            db.dsl().execute("UPDATE \"flyway_schema_history\" SET \"checksum\" = ? WHERE \"version\" = '3'", checksum);
        }
    }

    private int checksumOfV3() {
        try (Database db = TestDb.open(dir)) {
            return db.dsl().fetchSingle("SELECT \"checksum\" FROM \"flyway_schema_history\" WHERE \"version\" = '3'").get(0, Integer.class);
        }
    }

    @Test
    void aDatabaseThatRanTheOldScriptStartsAndRecordsTheNewOne() {
        Assumptions.assumeFalse(TestDb.postgres());
        int current = checksumOfV3();
        recordChecksumOfV3(228721421); // what the released V3 summed to
        assertEquals(current, checksumOfV3(), "repaired on open");
    }

    @Test
    void anyOtherChangedScriptStillStopsTheStart() {
        Assumptions.assumeFalse(TestDb.postgres());
        checksumOfV3();
        recordChecksumOfV3(42);
        DatabaseSetupError e = assertThrows(DatabaseSetupError.class, () -> TestDb.open(dir).close());
        assertTrue(e.getMessage().contains("checksum mismatch") && !e.getMessage().contains("\n"), e.getMessage());
    }
}
