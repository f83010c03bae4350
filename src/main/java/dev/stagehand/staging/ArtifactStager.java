package dev.stagehand.staging;

import dev.stagehand.archive.ArchiveError;
import dev.stagehand.archive.ArchiveSource;
import dev.stagehand.archive.BuildRef;
import dev.stagehand.archive.ObjectInfo;
import dev.stagehand.common.RealPaths;
import dev.stagehand.db.ArchiveIndexes;
import dev.stagehand.staging.transfer.Checksums;
import dev.stagehand.staging.transfer.Download;
import dev.stagehand.staging.transfer.DownloadSettings;
import dev.stagehand.staging.transfer.ParallelRangeChannel;
import dev.stagehand.staging.transfer.Progress;
import dev.stagehand.staging.transfer.RangedChannel;
import dev.stagehand.staging.transfer.SourceChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.io.IOUtils;
import org.apache.commons.io.input.BoundedInputStream;
import org.jooq.exception.DataAccessException;

/**
 * Stages one artifact of one build: pick the catalogue alternative whose files are in the
 * archive, fetch and verify, unpack into a fresh work dir, install atomically, marker last.
 */
final class ArtifactStager {
    /** The least room an extraction reserves at a time. */
    static final long UNPACK_STEP = 64L << 20;

    /** Which job, of which build, in which attempt. */
    record JobRef(long jobId, long buildId, int attempt) {}

    private final ArchiveSource source;
    private final BuildRef build;
    private final JobRef job;
    private final StagingArea area;
    private final DiskSpace space;
    private final DownloadSettings download;
    private final Progress progress;
    private final LandingFiles landing;
    private final ArchiveLimits limits;
    private final ArchiveIndexes indexes;
    /** Whether a member of a compressed tar comes from a whole copy kept in the build (/extract), not from one pass over the stream. */
    private final boolean keepsArchiveCopies;
    /** Files announced to readers while they land, by their place in the build. */
    private final Map<String, LandingFiles.Landing> landings = new LinkedHashMap<>();
    /** The archive's checksums of the files copied as they are, for the marker (served with them by /download). */
    private final Map<String, FileHashes> hashes = new LinkedHashMap<>();
    private long reserved;
    private String unpacking = "";

    /** Where the attempt says it reached a step on the way to its first byte (see JobRun#mark). */
    interface Steps {
        Steps NONE = (step, last) -> {};

        void reached(String step, boolean last);
    }

    private final Steps steps;

    ArtifactStager(ArchiveSource source, BuildRef build, JobRef job, StagingDisk disk, Progress progress, Steps steps,
            boolean keepsArchiveCopies) {
        this.keepsArchiveCopies = keepsArchiveCopies;
        this.steps = steps;
        this.source = source;
        this.build = build;
        this.job = job;
        this.area = disk.area();
        this.space = disk.space();
        this.download = disk.download();
        this.landing = disk.landing();
        this.limits = disk.limits();
        this.indexes = disk.indexes();
        this.progress = progress;
    }

    /** The rules to apply, the archive's names at the time they were chosen, and the metadata already read of some. */
    record Plan(List<Rule> rules, List<String> names, Map<String, ObjectInfo> known) {}

    /**
     * The first alternative whose required names are all in the archive now; empty while none
     * is. {@code listed}: the archive's names as read moments ago ({@link PlanLookahead}), else
     * listed now; {@code seen}: metadata of an object read moments ago, if any.
     */
    Optional<Plan> plan(List<List<Rule>> alternatives, Optional<List<String>> listed, Function<String, Optional<ObjectInfo>> seen)
            throws IOException {
        List<String> names = listed.isPresent() ? listed.get() : source.list();
        return firstComplete(alternatives, names, build.name()).map(rules -> {
            Map<String, ObjectInfo> known = new HashMap<>();
            rules.forEach(rule -> rule.select(names, build.name()).forEach(name -> seen.apply(name).ifPresent(i -> known.put(name, i))));
            return new Plan(rules, names, known);
        });
    }

    /**
     * For a target that needs one object ({@link StageTarget#soleObject}): that object's metadata
     * (as the request just read it, when it hands it over, or read now) instead of a listing of
     * the whole archive; one round trip to the store fewer before the first byte.
     */
    Optional<Plan> plan(List<List<Rule>> alternatives, String object, Optional<ObjectInfo> seen) throws IOException {
        Optional<ObjectInfo> info = seen.isPresent() ? seen : source.stat(object);
        List<String> names = info.map(i -> List.of(i.name())).orElse(List.of());
        return firstComplete(alternatives, names, build.name())
                .map(rules -> new Plan(rules, names, info.map(i -> Map.of(i.name(), i)).orElse(Map.of())));
    }

    /** The first alternative each of whose required rules selects a name of {@code names}. */
    static Optional<List<Rule>> firstComplete(List<List<Rule>> alternatives, List<String> names, String buildName) {
        return alternatives.stream()
                .filter(rules -> rules.stream().allMatch(r -> r.optional() || !r.select(names, buildName).isEmpty())).findFirst();
    }

    /** Applies the plan and installs the result; {@code beforeInstall} may still stop it (a cancelled job). */
    void stage(Plan plan, String artifactKey, Runnable beforeInstall) throws IOException, StagingFailure {
        Path work = area.freshWorkDir(job.jobId(), job.attempt());
        boolean installed = false;
        try {
            Unpacker unpacker = new Unpacker(work, progress, (dest, file, size) -> land(dest, file, size, null)::landed, limits,
                    new UnpackRoom());
            List<String> mkdirs = new ArrayList<>();
            for (Rule rule : plan.rules()) {
                List<String> selected = rule.select(plan.names(), build.name());
                for (String name : selected) {
                    apply(rule, name, plan.known().get(name), work, unpacker);
                }
                if (!selected.isEmpty()) { // a rule's links belong to its files: none without them
                    unpacker.reading("the catalogue", 0);
                    for (Map.Entry<String, String> link : rule.symlinks().entrySet()) {
                        String at = link.getKey().replace("<build>", build.name());
                        unpacker.symlink(at, link.getValue(), at);
                    }
                }
                mkdirs.addAll(rule.mkdirs());
            }
            unpacker.finish();
            beforeInstall.run();
            area.install(work, build.path(), job.buildId(), artifactKey, unpacker.written(), mkdirs, hashes);
            installed = true;
            landings.values().forEach(landing::installed);
            StagingArea.deleteTree(area.partialDir(job.jobId()));
            space.installed(job.buildId(), build.path());
        } catch (RealPaths.Escape e) { // a link in the build (an earlier artifact's) is in the way: no retry helps
            throw new StagingFailure(StagingFailure.Kind.PERMANENT, "refused to install " + artifactKey + ": " + e.getMessage()
                    + "; nothing was installed", e);
        } catch (IOException e) {
            if (DiskErrors.isNoSpace(e)) {
                throw DiskErrors.noSpace("staging " + artifactKey, e);
            }
            throw e;
        } finally {
            if (!installed) {
                landings.values().forEach(landing::failed); // readers of what was landing abort: never a short file
            }
            StagingArea.deleteTree(work);
        }
    }

    /**
     * A file of the artifact starts landing: /static can stream it to readers before it is
     * installed, and read a range far ahead of it from {@code store} (null for a member unpacked).
     */
    private LandingFiles.Landing land(String dest, Path file, long size, LandingFiles.StoreRanges store) {
        LandingFiles.Landing l = landing.begin(build.path() + "/" + dest, file, size, store,
                () -> steps.reached("first_byte_on_disk", false), () -> steps.reached("reader_woken", true));
        LandingFiles.Landing earlier = landings.put(dest, l);
        if (earlier != null) { // a later member of the same name replaces it: its readers reset, never take the earlier bytes
            landing.failed(earlier);
        }
        return l;
    }

    /** Applies a rule to one name of the archive, with its metadata when the plan has it already. */
    private void apply(Rule rule, String name, ObjectInfo known, Path work, Unpacker unpacker) throws IOException, StagingFailure {
        ObjectInfo info = known != null ? known : source.stat(name)
                .orElseThrow(() -> new IOException(name + " disappeared from " + source.describe() + " while staging"));
        steps.reached("metadata", false);
        switch (rule.action()) {
            case COPY -> copy(info, SafePaths.entryPath(name, rule.destination(name, build.name())), work, unpacker);
            case EXTRACT, MEMBER, DECOMPRESS -> unpack(info, rule, work, unpacker);
        }
    }

    private void copy(ObjectInfo info, String dest, Path work, Unpacker unpacker) throws IOException, StagingFailure {
        Path partial = area.partialFile(job.jobId(), SafePaths.entryPath(info.name(), info.name()));
        reserve(info.name(), info.size(), Files.exists(partial) ? Files.size(partial) : 0);
        LandingFiles.Landing landed = land(dest, partial, info.size(), (offset, length) -> source.open(info, offset, length));
        try {
            Download.fetch(source, info, partial, progress, download, landed::landed);
        } catch (IOException e) {
            if (DiskErrors.isNoSpace(e)) {
                throw DiskErrors.noSpace("downloading " + info.name(), e);
            }
            throw e;
        }
        Path target = SafePaths.under(work, dest);
        RealPaths.createDirectories(work, target.getParent());
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        landed.movedTo(target);
        unpacker.copied(dest);
        hashes.put(dest, FileHashes.of(info));
    }

    /** Room for {@code bytes} more (of which {@code onDisk} are there already) before writing them. */
    private void reserve(String what, long bytes, long onDisk) throws IOException, StagingFailure {
        if (bytes <= 0) {
            return;
        }
        space.reserve(job.jobId(), job.buildId(), reserved + bytes, Math.max(0, bytes - onDisk), what);
        reserved += bytes;
    }

    /**
     * Room for what an extraction writes, reserved ahead of its bytes as they come (what an
     * archive unpacks to is known only by unpacking it): steps of at least {@link #UNPACK_STEP},
     * each as large as all before it, so a large image costs few reservations.
     */
    private final class UnpackRoom implements Unpacker.Room {
        private long ahead;

        @Override
        public void need(long total) throws IOException, StagingFailure {
            if (total <= ahead) {
                return;
            }
            long needed = total - ahead;
            long step = Math.max(needed, Math.max(UNPACK_STEP, ahead)); // doubling: few reservations for a large image
            try {
                reserve("what " + unpacking + " unpacks to", step, 0);
            } catch (StagingFailure noRoomForTheStep) {
                if (step == needed) {
                    throw noRoomForTheStep;
                }
                step = needed; // a small quota: room for what is written, not for the step ahead
                reserve("what " + unpacking + " unpacks to", step, 0);
            }
            ahead += step;
        }
    }

    private void unpack(ObjectInfo info, Rule rule, Path work, Unpacker unpacker) throws IOException, StagingFailure {
        unpacker.reading(info.name(), info.size());
        unpacking = info.name();
        String dest = rule.to() == null ? null : rule.destination(info.name(), build.name());
        try {
            if (rule.action() == Rule.Action.DECOMPRESS) {
                decompress(info, dest, unpacker);
            } else if (rule.action() == Rule.Action.MEMBER && Archives.isPlainTar(info.name())) {
                indexedTarMember(info, rule.member(), dest, unpacker);
            } else if (rule.action() == Rule.Action.MEMBER && keepsArchiveCopies && !Archives.isZip(info.name())) {
                compressedTarMember(info, rule.member(), dest, work, unpacker);
            } else if (Archives.isZip(info.name())) {
                unzip(info, rule, dest, unpacker);
            } else {
                untar(info, rule, dest, unpacker);
            }
        } catch (SourceChannel.SourceException | Checksums.ChecksumMismatch | ArchiveError e) {
            throw e; // the bytes did not arrive intact, or the archive could not be read: not a corrupt archive
        } catch (DataAccessException e) { // the ledger, not the archive: retried
            throw new IOException("the archive's member index could not be read or recorded: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            if (DiskErrors.isNoSpace(e)) {
                throw DiskErrors.noSpace("extracting " + info.name(), e);
            }
            throw new StagingFailure(StagingFailure.Kind.PERMANENT, "corrupt archive " + info.name() + ": " + e.getMessage(), e);
        }
    }

    private void unzip(ObjectInfo info, Rule rule, String dest, Unpacker unpacker) throws IOException, StagingFailure {
        try (RangedChannel channel = new RangedChannel(source, info, download);
             ZipFile zip = ZipFile.builder().setSeekableByteChannel(channel).setIgnoreLocalFileHeader(true).get()) {
            if (rule.action() == Rule.Action.MEMBER) {
                indexOf(info, () -> zipIndex(zip, unpacker)); // a later name it lacks is a 404 with no job
                if (!unpacker.zipMember(zip, channel, rule.member(), dest)) {
                    throw noMember(info, rule.member());
                }
            } else {
                unpacker.zip(zip, rule);
            }
        }
    }

    /**
     * One member of an uncompressed tar by range: its place from the archive's index in the
     * ledger (read from the tar's headers by range the first time), then only its bytes. Tar
     * keeps no checksum of a member, so the member is checked by its size; the generation pin
     * keeps it the same object.
     */
    private void indexedTarMember(ObjectInfo info, String member, String dest, Unpacker unpacker) throws IOException, StagingFailure {
        long indexId = indexOf(info, () -> TarIndex.scan(new RangedChannel(source, info, download), unpacker::scanned));
        ArchiveIndexes.Member place = indexes.member(indexId, member).orElseThrow(() -> noMember(info, member));
        try (RangedChannel channel = new RangedChannel(source, info, download)) {
            channel.expect(place.offset(), place.size());
            channel.position(place.offset());
            InputStream bytes = BoundedInputStream.builder().setInputStream(Channels.newInputStream(channel))
                    .setMaxCount(place.size()).get();
            unpacker.member(bytes, member, dest, place.size());
            if (channel.position() != place.offset() + place.size()) {
                throw new SourceChannel.SourceException(info.name() + "!" + member + " ended early", null);
            }
        }
    }

    /** What reads a whole archive for its index (within the unpack limits). */
    private interface IndexScan {
        Map<String, ArchiveIndexes.Member> scan() throws IOException, StagingFailure;
    }

    /** The recorded index of this generation of the archive, or the one {@code scan} reads, recorded now. */
    private long indexOf(ObjectInfo info, IndexScan scan) throws IOException, StagingFailure {
        Optional<Long> recorded = indexes.find(job.buildId(), info.name(), info.generation());
        return recorded.isPresent() ? recorded.get() : indexes.record(job.buildId(), info.name(), info.generation(), scan.scan());
    }

    /**
     * One member of a compressed tar for /extract, from a whole copy of the archive kept in the
     * build for its generation ({@link StageTarget.Member#archiveCopy}): fetched by the first
     * extract, so the next member costs no fetch. The first read of the copy records the
     * archive's index while it extracts the member; later ones decompress only up to the member.
     */
    private void compressedTarMember(ObjectInfo info, String member, String dest, Path work, Unpacker unpacker)
            throws IOException, StagingFailure {
        Path copy = wholeCopy(info, work, unpacker);
        Optional<Long> recorded = indexes.find(job.buildId(), info.name(), info.generation());
        try (InputStream raw = Files.newInputStream(copy, LinkOption.NOFOLLOW_LINKS); InputStream tar = Archives.decompressed(raw, info.name())) {
            if (recorded.isEmpty()) {
                Map<String, ArchiveIndexes.Member> index = TarIndex.scan(tar, member, (bytes, size) -> unpacker.member(bytes, member, dest, size),
                        unpacker::scanned);
                indexes.record(job.buildId(), info.name(), info.generation(), index);
                if (!index.containsKey(member)) {
                    throw noMember(info, member);
                }
                return;
            }
            ArchiveIndexes.Member place = indexes.member(recorded.get(), member).orElseThrow(() -> noMember(info, member));
            IOUtils.skipFully(tar, place.offset());
            unpacker.member(BoundedInputStream.builder().setInputStream(tar).setMaxCount(place.size()).get(), member, dest, place.size());
        }
    }

    /**
     * The build's copy of this generation of the archive, installed by an earlier extract, else
     * one fetched now into the work dir (installed with the member). A copy has a path of its own
     * per generation, so no other job ever replaces its bytes while they are read.
     */
    private Path wholeCopy(ObjectInfo info, Path work, Unpacker unpacker) throws IOException, StagingFailure {
        String at = StageTarget.Member.archiveCopy(info.name(), info.generation());
        Path buildDir = area.buildDir(build.path());
        Path kept = SafePaths.under(buildDir, at);
        FileHashes wanted = FileHashes.of(info);
        // Only a copy this code fetched and verified: its marker keeps the object's checksums (another
        // archive could unpack a file of that name), and only of a store that names its generations.
        if (info.generation() > 0 && !wanted.equals(FileHashes.NONE) && Files.isRegularFile(kept, LinkOption.NOFOLLOW_LINKS)
                && area.installedBy(job.buildId(), at).equals(Optional.of(wanted))) {
            Optional<Path> real = RealPaths.inside(buildDir, kept);
            if (real.isPresent()) {
                return real.get();
            }
        }
        copy(info, at, work, unpacker);
        return SafePaths.under(work, at);
    }

    /**
     * A zip's regular files, from its central directory: where each local header starts, and its
     * size. A name that comes twice is its first entry, the one {@link ZipFile#getEntry} gives.
     */
    private static Map<String, ArchiveIndexes.Member> zipIndex(ZipFile zip, Unpacker unpacker) throws StagingFailure {
        Map<String, ArchiveIndexes.Member> members = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
            unpacker.scanned(0);
            if (seen.add(entry.getName()) && !entry.isDirectory() && !entry.isUnixSymlink()) {
                members.put(entry.getName(), new ArchiveIndexes.Member(entry.getLocalHeaderOffset(), entry.getSize()));
            }
        }
        return members;
    }

    private static StagingFailure noMember(ObjectInfo info, String member) {
        return StagingFailure.permanent(info.name() + " has no member " + member);
    }

    /** Streams the object through its decompressor while downloading. */
    private void decompress(ObjectInfo info, String dest, Unpacker unpacker) throws IOException, StagingFailure {
        readVerified(info, raw -> unpacker.decompressed(Archives.decompressed(raw, info.name()), dest));
    }

    /** What reads an archive's stream while it downloads. */
    private interface StreamReader {
        void read(InputStream raw) throws IOException, StagingFailure;
    }

    /**
     * Streams the whole object through {@code reader} while downloading, checksummed to its end
     * even past what the reader took. A stream the reader could not read is a corrupt archive or
     * bytes damaged in transit: only the checksum can tell which.
     */
    private void readVerified(ObjectInfo info, StreamReader reader) throws IOException, StagingFailure {
        Checksums sums = new Checksums(info);
        try (InputStream raw = sums.watch(Channels.newInputStream(archiveBytes(info)))) {
            try {
                reader.read(raw);
            } catch (IOException unreadable) {
                if (DiskErrors.isNoSpace(unreadable)) {
                    throw unreadable;
                }
                raw.transferTo(OutputStream.nullOutputStream());
                sums.verify(info);
                throw unreadable;
            }
            raw.transferTo(OutputStream.nullOutputStream());
            sums.verify(info);
        }
    }

    /** The object's bytes in order, fetched ahead by several streams when it is large. */
    private ReadableByteChannel archiveBytes(ObjectInfo info) {
        return download.sliced(info.size())
                ? new ParallelRangeChannel(source, info, 0, info.size(), download.streams())
                : new SourceChannel(source, info, 0);
    }

    /**
     * Streams the tar while downloading, every entry the rule takes or (a catalogue's MEMBER rule)
     * the first of its name, streamed to readers as it lands; the whole compressed stream is
     * checksummed, even past the member.
     */
    private void untar(ObjectInfo info, Rule rule, String dest, Unpacker unpacker) throws IOException, StagingFailure {
        boolean[] found = {rule.action() != Rule.Action.MEMBER};
        readVerified(info, raw -> {
            TarArchiveInputStream tar = Archives.tar(raw, info.name()); // closed with raw
            if (rule.action() == Rule.Action.MEMBER) {
                found[0] = unpacker.tarMember(tar, rule.member(), dest);
            } else {
                unpacker.tar(tar, rule);
            }
        });
        if (!found[0]) {
            throw noMember(info, rule.member());
        }
    }
}
