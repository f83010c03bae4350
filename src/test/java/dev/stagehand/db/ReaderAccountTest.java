package dev.stagehand.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReaderAccountTest {
    @Test
    void theOwnersCredentialsAreLeftOutOfAPostgresqlUrl() {
        assertEquals("jdbc:postgresql://db/stagehand?sslmode=require",
                ReaderAccount.url("jdbc:postgresql://db/stagehand?user=owner&sslmode=require&password=secret"));
        assertEquals("jdbc:postgresql://db/stagehand", ReaderAccount.url("jdbc:postgresql://db/stagehand?user=owner&password=x"));
        assertEquals("jdbc:postgresql://db/stagehand", ReaderAccount.url("jdbc:postgresql://db/stagehand"));
    }

    @Test
    void anH2FileUrlSharesTheServersOpenFile() {
        assertEquals("jdbc:h2:async:/srv/db/stagehand;AUTO_SERVER=TRUE;IFEXISTS=TRUE", ReaderAccount.url("jdbc:h2:file:/srv/db/stagehand"));
    }
}
