package dev.stagehand.staging;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The marker of a staged artifact: the files it installed, one per line, each percent-encoded
 * so that no name can split a line, after a header and the few of them that {@code is_staged}
 * checks (all of a small artifact's, a spread of a large one's: its cost stays the same for an
 * artifact of 100,000 members). Markers written before this format list raw names only.
 */
final class Marker {
    static final String HEADER = "#stagehand-marker 2";
    /** How many files is_staged checks at most. */
    static final int CHECKED = 64;
    private static final String CHECK = "check ";
    private static final String FILE = "file ";
    /** {@code hash CRC32C MD5 NAME} ('-' for a checksum the archive did not give), after the files. */
    private static final String HASH = "hash ";
    private static final String NONE = "-";

    private Marker() {}

    static List<String> lines(List<String> files, Map<String, FileHashes> hashes) {
        List<String> lines = new ArrayList<>(files.size() + CHECKED + 1);
        lines.add(HEADER);
        int step = Math.max(1, (files.size() + CHECKED - 1) / CHECKED);
        for (int i = 0; i < files.size(); i += step) {
            lines.add(CHECK + encode(files.get(i)));
        }
        for (String file : files) {
            lines.add(FILE + encode(file));
        }
        hashes.forEach((file, h) -> lines.add(HASH + orNone(h.crc32cBase64()) + " " + orNone(h.md5Base64()) + " " + encode(file)));
        return lines;
    }

    /** Every file the marker lists. */
    static List<String> files(Path marker) throws IOException {
        return read(marker, false);
    }

    /** The files to check for the artifact to count as still on disk; reads no further than them. */
    static List<String> toCheck(Path marker) throws IOException {
        return read(marker, true);
    }

    /**
     * Whether the marker lists {@code file}, with the archive's checksums of it when the artifact
     * copied it as it is ({@link FileHashes#NONE} otherwise); empty when it does not list it. One
     * read of the marker (it serves every /download hit).
     */
    static Optional<FileHashes> listing(Path marker, String file) throws IOException {
        boolean listed = false;
        try (BufferedReader in = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
            String line = in.readLine();
            if (line != null && !line.equals(HEADER)) { // the older format: raw names, no checksums
                for (; line != null; line = in.readLine()) {
                    listed |= line.equals(file);
                }
                return listed ? Optional.of(FileHashes.NONE) : Optional.empty();
            }
            for (line = in.readLine(); line != null; line = in.readLine()) {
                listed |= line.startsWith(FILE) && decode(line.substring(FILE.length())).equals(file);
                String[] parts = line.split(" ", 4);
                if (line.startsWith(HASH) && parts.length == 4 && decode(parts[3]).equals(file)) {
                    return Optional.of(new FileHashes(fromNone(parts[1]), fromNone(parts[2])));
                }
            }
        }
        return listed ? Optional.of(FileHashes.NONE) : Optional.empty();
    }

    private static String orNone(String hash) {
        return hash == null || hash.isEmpty() ? NONE : hash;
    }

    private static String fromNone(String hash) {
        return hash.equals(NONE) ? null : hash;
    }

    private static List<String> read(Path marker, boolean checkOnly) throws IOException {
        List<String> names = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
            String line = in.readLine();
            if (line != null && !line.equals(HEADER)) { // the older format: every line a raw name
                names.add(line);
                while ((line = in.readLine()) != null) {
                    names.add(line);
                }
                return names;
            }
            while ((line = in.readLine()) != null) {
                if (line.startsWith(CHECK) && checkOnly) {
                    names.add(decode(line.substring(CHECK.length())));
                } else if (line.startsWith(FILE)) {
                    if (checkOnly) {
                        break;
                    }
                    names.add(decode(line.substring(FILE.length())));
                }
            }
        }
        return names;
    }

    private static String encode(String name) {
        return name.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D").replace("+", "%2B");
    }

    private static String decode(String line) {
        return URLDecoder.decode(line, StandardCharsets.UTF_8);
    }
}
