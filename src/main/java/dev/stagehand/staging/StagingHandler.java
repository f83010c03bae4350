package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.ArchiveSources;
import dev.stagehand.archive.ArchiveUrl;
import dev.stagehand.archive.ObjectInfo;
import dev.stagehand.queue.JobHandler;
import dev.stagehand.queue.JobRun;
import dev.stagehand.queue.PermanentFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Turns a job into files: find the artifact's archive names (waiting for uploads), fetch and
 * verify, unpack into a work dir, install atomically, write the marker last.
 */
public final class StagingHandler implements JobHandler {
    private static final Duration MAX_POLL = Duration.ofSeconds(10);

    private final Catalogue catalogue;
    private final ArchiveSources sources;
    private final StagingArea area;
    private final Clock clock;

    public StagingHandler(Catalogue catalogue, ArchiveSources sources, StagingArea area, Clock clock) {
        this.catalogue = catalogue;
        this.sources = sources;
        this.area = area;
        this.clock = clock;
    }

    @Override
    public void run(JobRun run) throws Exception {
        List<List<Rule>> alternatives = catalogue.rulesFor(run.artifact())
                .orElseThrow(() -> new PermanentFailure("unknown artifact '" + run.artifact() + "'"));
        ArchiveUrl url = ArchiveUrl.parse(run.archiveUrl());
        ArchiveSource source = sources.open(url);
        String build = url.buildName();
        Resolved resolved = awaitUpload(run, source, alternatives, build);
        Path work = area.freshWorkDir(run.jobId(), run.attempt());
        try {
            Unpacker unpacker = new Unpacker(work, run.artifact(), run);
            List<String> mkdirs = new ArrayList<>();
            for (Rule rule : resolved.rules()) {
                for (String name : rule.select(resolved.names(), build)) {
                    apply(run, source, rule, name, build, work, unpacker);
                }
                for (Map.Entry<String, String> link : rule.symlinks().entrySet()) {
                    unpacker.symlink(link.getKey().replace("<build>", build), link.getValue());
                }
                mkdirs.addAll(rule.mkdirs());
            }
            run.checkCancelled();
            area.install(work, run.buildPath(), run.buildId(), run.artifact(), unpacker.written(), mkdirs);
            StagingArea.deleteTree(area.partialDir(run.jobId()));
        } finally {
            StagingArea.deleteTree(work);
        }
    }

    private record Resolved(List<Rule> rules, List<String> names) {}

    /** Lists the build until an alternative's required names exist, or fails after the deadline. */
    private Resolved awaitUpload(JobRun run, ArchiveSource source, List<List<Rule>> alternatives, String build)
            throws Exception {
        Duration pause = Duration.ofMillis(500);
        while (true) {
            List<String> names = source.list();
            for (List<Rule> rules : alternatives) {
                if (rules.stream().allMatch(r -> r.optional() || !r.select(names, build).isEmpty())) {
                    return new Resolved(rules, names);
                }
            }
            if (run.waitDeadline() == null || !clock.instant().isBefore(run.waitDeadline())) {
                throw new PermanentFailure(run.artifact() + " not found in archive " + run.archiveUrl());
            }
            run.progress(0, null);
            Thread.sleep(Math.min(pause.toMillis(), Math.max(1, Duration.between(clock.instant(), run.waitDeadline()).toMillis())));
            pause = pause.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : pause.multipliedBy(2);
        }
    }

    private void apply(JobRun run, ArchiveSource source, Rule rule, String name, String build, Path work, Unpacker unpacker)
            throws Exception {
        ObjectInfo info = source.stat(name)
                .orElseThrow(() -> new IOException(name + " disappeared from " + source.describe() + " while staging"));
        switch (rule.action()) {
            case COPY -> copy(run, source, info, SafePaths.entryPath(name, rule.destination(name, build)), work, unpacker);
            case EXTRACT, MEMBER -> unpack(source, info, rule, build, unpacker);
        }
    }

    private void copy(JobRun run, ArchiveSource source, ObjectInfo info, String dest, Path work, Unpacker unpacker)
            throws IOException, HostileArchive {
        Path partial = area.partialDir(run.jobId()).resolve(SafePaths.entryPath(info.name(), info.name()));
        Download.fetch(source, info, partial, run);
        Path target = SafePaths.under(work, dest);
        Files.createDirectories(target.getParent());
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        unpacker.written().add(dest);
    }

    private void unpack(ArchiveSource source, ObjectInfo info, Rule rule, String build, Unpacker unpacker) throws Exception {
        String dest = rule.to() == null ? null : rule.destination(info.name(), build);
        try {
            if (Archives.isZip(info.name())) {
                unzip(source, info, rule, dest, unpacker);
            } else {
                untar(source, info, rule, dest, unpacker);
            }
        } catch (SourceChannel.SourceException | Checksums.ChecksumMismatch e) {
            throw e; // the bytes did not arrive intact: worth a retry
        } catch (IOException | RuntimeException e) {
            throw new PermanentFailure("corrupt archive " + info.name() + ": " + e.getMessage(), e);
        }
    }

    private void unzip(ArchiveSource source, ObjectInfo info, Rule rule, String dest, Unpacker unpacker) throws Exception {
        try (RangedChannel channel = new RangedChannel(source, info);
             ZipFile zip = ZipFile.builder().setSeekableByteChannel(channel).setIgnoreLocalFileHeader(true).get()) {
            if (rule.action() == Rule.Action.MEMBER) {
                if (!unpacker.zipMember(zip, channel, rule.member(), dest)) {
                    throw new PermanentFailure(info.name() + " has no member " + rule.member());
                }
            } else {
                unpacker.zip(zip, rule);
            }
        }
    }

    /** Streams the tar while downloading; the whole compressed stream is checksummed, even past the member. */
    private void untar(ArchiveSource source, ObjectInfo info, Rule rule, String dest, Unpacker unpacker) throws Exception {
        Checksums sums = new Checksums(info);
        try (InputStream raw = sums.watch(Channels.newInputStream(new SourceChannel(source, info, 0)));
             TarArchiveInputStream tar = Archives.tar(raw, info.name())) {
            boolean found = true;
            try {
                if (rule.action() == Rule.Action.MEMBER) {
                    found = unpacker.tarMember(tar, rule.member(), dest);
                } else {
                    unpacker.tar(tar, rule);
                }
            } catch (IOException unreadable) {
                // Corrupt archive, or bytes damaged in transit? Only the checksum can tell.
                raw.transferTo(java.io.OutputStream.nullOutputStream());
                sums.verify(info);
                throw unreadable;
            }
            raw.transferTo(java.io.OutputStream.nullOutputStream());
            sums.verify(info);
            if (!found) {
                throw new PermanentFailure(info.name() + " has no member " + rule.member());
            }
        }
    }
}
