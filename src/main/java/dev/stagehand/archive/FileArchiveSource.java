package dev.stagehand.archive;

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

/** A build directory on local disk (file:// URLs under an allowed root). No checksums: size only. */
final class FileArchiveSource implements ArchiveSource {
    private final Path buildDir;
    private final String url;

    FileArchiveSource(Path buildDir, String url) {
        this.buildDir = buildDir;
        this.url = url;
    }

    @Override
    public List<String> list() throws IOException {
        if (!Files.isDirectory(buildDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(buildDir)) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> buildDir.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    @Override
    public boolean exists() {
        return Files.isDirectory(buildDir);
    }

    @Override
    public List<String> directories() throws IOException {
        if (!Files.isDirectory(buildDir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(buildDir)) {
            return children.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String name) throws IOException {
        Path file = buildDir.resolve(name).normalize();
        if (!file.startsWith(buildDir) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return Optional.of(new ObjectInfo(name, attrs.size(), null, null, attrs.lastModifiedTime().toMillis()));
    }

    @Override
    public ReadableByteChannel open(ObjectInfo info, long offset, long length) throws IOException {
        FileChannel channel = FileChannel.open(buildDir.resolve(info.name()), StandardOpenOption.READ);
        channel.position(offset);
        return length < 0 ? channel
                : Channels.newChannel(BoundedInputStream.builder().setInputStream(Channels.newInputStream(channel)).setMaxCount(length).get());
    }

    @Override
    public String describe() {
        return url;
    }
}
