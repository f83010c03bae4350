package dev.stagehand.testing;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/** A fresh fake GCS and a real server on loopback for each test; subclasses add objects in their own @BeforeEach. */
@Tag("integration")
public abstract class ServerTest {
    @TempDir protected Path dir;
    protected FakeGcs gcs;
    protected Server server;

    @BeforeEach
    void startServer() throws Exception {
        gcs = new FakeGcs();
        server = Server.start(dir, gcs);
    }

    @AfterEach
    void stopServer() {
        server.close();
        gcs.close();
    }
}
