package dev.stagehand.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReaderAccountTest {
    @Test
    void anH2FileUrlSharesTheServersOpenFileAndSetsNothingOnlyAnAdminMay() {
        assertEquals("jdbc:h2:async:/srv/db/stagehand;AUTO_SERVER=TRUE;IFEXISTS=TRUE", ReaderAccount.url("jdbc:h2:file:/srv/db/stagehand"));
    }

    @Test
    void theCredentialsFileLiesBesideTheDatabase() {
        assertEquals(java.nio.file.Path.of("/srv/db/stagehand.credentials"),
                H2Credentials.fileOf(H2Credentials.baseOf("jdbc:h2:file:/srv/db/stagehand;AUTO_SERVER=TRUE")));
        assertEquals(null, H2Credentials.baseOf("jdbc:h2:mem:x"));
    }
}
