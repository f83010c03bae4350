package dev.stagehand.archive;

import dev.stagehand.common.RealPaths;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * A build directory on local disk (file:// URLs under an allowed root, or a directory stagehand
 * staged itself). No checksums: size only. Every read resolves the real path, links followed,
 * and refuses what lies outside {@code root}: a link cannot widen what may be read.
 */
final class FileArchiveSource implements ArchiveSource {
    private final Path root;
    private final Path buildDir;
    private final String url;

    /** The build at {@code buildDir}, read only where it really lies inside {@code root}. */
    FileArchiveSource(Path root, Path buildDir, String url) {
        this.root = root;
        this.buildDir = buildDir;
        this.url = url;
    }

    /** The build dir itself, when it really lies inside the root. */
    private Optional<Path> dir() {
        return RealPaths.inside(root, buildDir).filter(Files::isDirectory);
    }

    @Override
    public List<String> list() throws IOException {
        Optional<Path> dir = dir();
        if (dir.isEmpty()) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir.get())) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> dir.get().relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    @Override
    public boolean exists() {
        return dir().isPresent();
    }

    @Override
    public List<String> directories() throws IOException {
        Optional<Path> dir = dir();
        if (dir.isEmpty()) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir.get())) {
            return children.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String name) throws IOException {
        Optional<Path> file = file(name);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        BasicFileAttributes attrs = Files.readAttributes(file.get(), BasicFileAttributes.class);
        return Optional.of(new ObjectInfo(name, attrs.size(), null, null, attrs.lastModifiedTime().toMillis()));
    }

    /** A regular file of the build, by its real path: not a link, nor anything reached through one outside the root. */
    private Optional<Path> file(String name) {
        Optional<Path> dir = dir();
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        Path lexical = dir.get().resolve(name).normalize();
        if (!lexical.startsWith(dir.get()) || Files.isSymbolicLink(lexical)) {
            return Optional.empty();
        }
        return RealPaths.inside(dir.get(), lexical).filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Override
    public ReadableByteChannel open(ObjectInfo info, long offset, long length) throws IOException {
        Path file = file(info.name()).orElseThrow(() -> new java.nio.file.NoSuchFileException(info.name() + " in " + url));
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        channel.position(offset);
        return length < 0 ? channel
                : Channels.newChannel(BoundedInputStream.builder().setInputStream(Channels.newInputStream(channel)).setMaxCount(length).get());
    }

    @Override
    public String describe() {
        return url;
    }
}
