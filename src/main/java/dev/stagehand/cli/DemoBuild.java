package dev.stagehand.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** A tiny sample build under the local archive root, so a new user can stage something without a cloud account. */
final class DemoBuild {
    static final String BUILD = "demo-target/R1-1.0.0";

    private DemoBuild() {}

    /** Creates the sample build once; returns its file:// archive URL. */
    static String seed(Path root) throws IOException {
        Path build = root.resolve(BUILD);
        if (!Files.isDirectory(build)) {
            Files.createDirectories(build);
            Files.writeString(build.resolve("chromeos_R1-1.0.0_demo_full_dev.bin"), "demo full payload\n");
            Files.writeString(build.resolve("chromeos_R1-1.0.0_demo_full_dev.bin.json"), "{\"sha256_hex\": \"demo\"}\n");
            try (OutputStream out = Files.newOutputStream(build.resolve("stateful.tgz"));
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
                byte[] data = "demo stateful partition\n".getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry("var_new/demo.txt");
                entry.setSize(data.length);
                tar.putArchiveEntry(entry);
                tar.write(data);
                tar.closeArchiveEntry();
            }
        }
        return "file://" + build.toAbsolutePath().normalize();
    }
}
