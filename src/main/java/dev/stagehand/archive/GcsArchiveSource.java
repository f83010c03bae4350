package dev.stagehand.archive;

import com.google.cloud.ReadChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A build in Google Cloud Storage. Reads go through {@link Storage#reader}, which resumes a
 * dropped connection itself and pins the generation; ranges use seek/limit. The reader's own
 * buffer is turned off (chunk size 0): callers read in large blocks already, and the extra copy
 * through a 2 MiB buffer cost a large share of a download's CPU.
 */
final class GcsArchiveSource implements ArchiveSource {
    private final Storage storage;
    private final ArchiveUrl url;

    GcsArchiveSource(Storage storage, ArchiveUrl url) {
        this.storage = storage;
        this.url = url;
    }

    private String objectName(String name) {
        return url.path() + "/" + name;
    }

    @Override
    public List<String> list() throws IOException {
        String prefix = url.path() + "/";
        List<String> names = new ArrayList<>();
        try {
            for (Blob blob : storage.list(url.bucket(), Storage.BlobListOption.prefix(prefix)).iterateAll()) {
                if (!blob.isDirectory()) {
                    names.add(blob.getName().substring(prefix.length()));
                }
            }
        } catch (StorageException e) {
            throw new IOException("listing " + url.url() + ": " + e.getMessage(), e);
        }
        return names;
    }

    @Override
    public Optional<ObjectInfo> stat(String name) throws IOException {
        try {
            Blob blob = storage.get(BlobId.of(url.bucket(), objectName(name)));
            if (blob == null) {
                return Optional.empty();
            }
            return Optional.of(new ObjectInfo(name, blob.getSize() == null ? -1 : blob.getSize(),
                    blob.getMd5(), blob.getCrc32c(), blob.getGeneration() == null ? 0 : blob.getGeneration()));
        } catch (StorageException e) {
            throw new IOException("reading metadata of " + objectName(name) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ReadableByteChannel open(ObjectInfo info, long offset, long length) throws IOException {
        BlobId id = info.generation() > 0
                ? BlobId.of(url.bucket(), objectName(info.name()), info.generation())
                : BlobId.of(url.bucket(), objectName(info.name()));
        ReadChannel reader = storage.reader(id);
        reader.setChunkSize(0);
        reader.seek(offset);
        if (length >= 0) {
            reader.limit(offset + length);
        }
        return reader;
    }

    @Override
    public String describe() {
        return url.url();
    }
}
