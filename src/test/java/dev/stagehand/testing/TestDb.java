package dev.stagehand.testing;

import dev.stagehand.db.Database;
import dev.stagehand.db.H2Urls;
import java.nio.file.Path;

/** A real H2 file database in a test's temporary directory. */
public final class TestDb {
    private TestDb() {}

    public static String url(Path dir) {
        return H2Urls.fileUrl(dir.resolve("db").resolve("stagehand"));
    }

    public static Database open(Path dir) {
        return Database.open(url(dir), 12);
    }
}
