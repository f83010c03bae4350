package dev.stagehand.testing;

import dev.stagehand.Settings;
import dev.stagehand.staging.transfer.DownloadSettings;
import java.nio.file.Path;

/**
 * A server in its own JVM, for tests that kill it: args are the data dir, the GCS endpoint and,
 * optionally, the slice threshold in bytes (objects that large are sliced from their first byte).
 * {@code -Dstagehand.test.productionRetries=true} gives it the retry policy of {@code serve};
 * {@code -Dstagehand.test.hashedNode=NAME} makes it a node with hashed placement, staging in {@code DIR/NAME/static}.
 */
public final class ServerMain {
    private ServerMain() {}

    public static void main(String[] args) throws Exception {
        String hashedNode = System.getProperty("stagehand.test.hashedNode"); // one of several nodes, each on its own disk
        Settings settings = hashedNode != null ? Server.hashedNode(Path.of(args[0]), args[1], hashedNode, false)
                : Server.settings(Path.of(args[0]), args[1]);
        if (Boolean.getBoolean("stagehand.test.productionRetries")) { // as `serve` retries and waits by default
            settings = settings.withQueue(new dev.stagehand.queue.QueueConfig(4, dev.stagehand.queue.RetryPolicy.DEFAULT,
                    java.time.Duration.ofMillis(500)));
        }
        if (args.length > 2) {
            settings = Server.withDownloads(settings, new DownloadSettings(Long.parseLong(args[2]), 8, 0));
        }
        dev.stagehand.Stagehand server = dev.stagehand.Stagehand.start(settings, java.time.Clock.systemUTC(),
                dev.stagehand.Stagehand.Fatal.EXIT);
        System.out.println("PORT " + server.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
