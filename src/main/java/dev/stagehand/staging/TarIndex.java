package dev.stagehand.staging;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * Where each regular file's bytes lie in an uncompressed tar: found once by reading its headers
 * by range (not its members), then kept beside the build's markers for the archive's generation,
 * so a later member of it costs one ranged read of that member alone. Links, directories and
 * devices are not listed (a member asked for is a regular file); a name that comes twice is the
 * later one, as an unpacking would leave it.
 */
final class TarIndex {
    record Member(long offset, long size) {}

    private final Map<String, Member> members;

    private TarIndex(Map<String, Member> members) {
        this.members = members;
    }

    /** Reads every header of the tar behind {@code channel} (which this closes). */
    static TarIndex scan(SeekableByteChannel channel) throws IOException {
        Map<String, Member> members = new HashMap<>();
        try (TarFile tar = new TarFile(channel)) {
            for (TarArchiveEntry entry : tar.getEntries()) {
                if (entry.isFile() && !entry.isLink() && !entry.isSparse()) {
                    members.put(entry.getName(), new Member(entry.getDataOffset(), entry.getSize()));
                } else {
                    members.remove(entry.getName());
                }
            }
        }
        return new TarIndex(members);
    }

    Optional<Member> find(String name) {
        return Optional.ofNullable(members.get(name));
    }

    int size() {
        return members.size();
    }

    /** The kept index, if any (one unreadable is as good as none: the headers are read again). */
    static Optional<TarIndex> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Map<String, Member> members = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] parts = line.split(" ", 3);
                members.put(URLDecoder.decode(parts[2], StandardCharsets.UTF_8),
                        new Member(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
            }
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
        return Optional.of(new TarIndex(members));
    }

    /**
     * Keeps the index at {@code file}, whole or not at all. Best effort: two jobs indexing the same
     * tar at once each write their own temporary file, and the one that cannot is only slower next time.
     */
    void keep(Path file) {
        List<String> lines = new ArrayList<>(members.size());
        members.forEach((name, m) -> lines.add(m.offset() + " " + m.size() + " " + URLEncoder.encode(name, StandardCharsets.UTF_8)));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "index", ".tmp");
            try {
                Files.write(tmp, lines, StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException notKept) {
            // read from the tar's headers again next time
        }
    }
}
