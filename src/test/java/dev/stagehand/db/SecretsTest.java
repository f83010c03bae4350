package dev.stagehand.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SecretsTest {
    @Test
    void passwordsInDatabaseUrlsAreMaskedWhereverTheyStand() {
        assertEquals("jdbc:postgresql://db/s?user=o&password=***&ssl=true",
                Secrets.maskUrls("jdbc:postgresql://db/s?user=o&password=hunter2&ssl=true"));
        assertEquals("failed for postgresql://o:***@db/s now", Secrets.maskUrls("failed for postgresql://o:hunter2@db/s now"));
        assertEquals("jdbc:h2:file:/x;PASSWORD=***", Secrets.maskUrls("jdbc:h2:file:/x;PASSWORD=hunter2"));
    }

    @Test
    void aConnectionErrorNamesTheDatabaseButNotItsPassword() {
        DatabaseSetupError e = assertThrows(DatabaseSetupError.class,
                () -> Database.open("jdbc:postgresql://127.0.0.1:1/stagehand?user=o&password=hunter2&connectTimeout=1", 2));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
