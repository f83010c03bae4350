package dev.stagehand.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * nginx (sendfile, one worker per core) serving one file on loopback: how fast this host can
 * serve the same bytes to many curls at all, beside stagehand's own floor. Empty when nginx is
 * not installed ({@code apt-get install nginx-light}).
 */
final class NginxFloor implements AutoCloseable {
    private final Path conf;
    private final int port;

    private NginxFloor(Path conf, int port) {
        this.conf = conf;
        this.port = port;
    }

    /** nginx serving {@code file} from its directory, on a free loopback port. */
    static Optional<NginxFloor> serving(Path file, Path dir) throws Exception {
        if (new ProcessBuilder("bash", "-c", "command -v nginx || test -x /usr/sbin/nginx").start().waitFor() != 0) {
            return Optional.empty();
        }
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Files.createDirectories(dir);
        Path conf = dir.resolve("nginx.conf");
        // as the user it was started by (workers otherwise drop to nobody, who cannot read a test's temp dir)
        Files.writeString(conf, "user " + System.getProperty("user.name") + ";\nworker_processes " + Runtime.getRuntime().availableProcessors() + ";\npid " + dir.resolve("nginx.pid")
                + ";\nerror_log " + dir.resolve("error.log") + ";\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n"
                + "  sendfile on;\n  client_body_temp_path " + dir + ";\n  server { listen 127.0.0.1:" + port + "; root " + file.getParent()
                + "; }\n}\n");
        BenchReport.timeShell("PATH=$PATH:/usr/sbin nginx -c " + conf);
        return Optional.of(new NginxFloor(conf, port));
    }

    String url(Path file) {
        return "http://127.0.0.1:" + port + "/" + file.getFileName();
    }

    @Override
    public void close() throws Exception {
        BenchReport.timeShell("PATH=$PATH:/usr/sbin nginx -c " + conf + " -s stop");
    }
}
