package dev.stagehand.testing;

import java.nio.file.Path;

/** A server in its own JVM, for tests that kill it: args are the data dir and the GCS endpoint. */
public final class ServerMain {
    private ServerMain() {}

    public static void main(String[] args) throws Exception {
        Server server = Server.start(Server.settings(Path.of(args[0]), args[1]));
        System.out.println("PORT " + server.stagehand.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
