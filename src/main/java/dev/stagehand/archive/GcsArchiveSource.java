package dev.stagehand.archive;

import com.google.api.services.storage.model.StorageObject;
import com.google.cloud.ReadChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.spi.v1.StorageRpc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A build in Google Cloud Storage. Reads go through {@link Storage#reader}, pinned to the
 * generation that was stat'ed; ranges use seek/limit. The reader's own buffer is turned off
 * (chunk size 0): callers read in large blocks already, and the extra copy through a 2 MiB
 * buffer cost a large share of a download's CPU. Errors come out as {@link ArchiveError}s.
 */
final class GcsArchiveSource implements ArchiveSource {
    private final GcsClient gcs;
    private final ArchiveUrl url;

    GcsArchiveSource(GcsClient gcs, ArchiveUrl url) {
        this.gcs = gcs;
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
            for (Blob blob : gcs.storage().list(url.bucket(), Storage.BlobListOption.prefix(prefix)).iterateAll()) {
                if (!blob.isDirectory()) {
                    names.add(blob.getName().substring(prefix.length()));
                }
            }
        } catch (StorageException e) {
            throw gcs.translate(e, "listing " + url.url(), url.bucket());
        }
        return names;
    }

    @Override
    public boolean exists() throws IOException {
        try {
            return gcs.storage().list(url.bucket(), Storage.BlobListOption.prefix(url.path() + "/"),
                    Storage.BlobListOption.pageSize(1)).getValues().iterator().hasNext();
        } catch (StorageException e) {
            throw gcs.translate(e, "looking for " + url.url(), url.bucket());
        }
    }

    @Override
    public List<String> directories() throws IOException {
        String prefix = url.path() + "/";
        List<String> names = new ArrayList<>();
        try {
            for (Blob blob : gcs.storage().list(url.bucket(), Storage.BlobListOption.prefix(prefix),
                    Storage.BlobListOption.currentDirectory()).iterateAll()) {
                if (blob.isDirectory()) {
                    String name = blob.getName().substring(prefix.length());
                    names.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
                }
            }
        } catch (StorageException e) {
            throw gcs.translate(e, "listing " + url.url(), url.bucket());
        }
        return names;
    }

    @Override
    public Optional<ObjectInfo> stat(String name) throws IOException {
        try {
            Blob blob = gcs.storage().get(BlobId.of(url.bucket(), objectName(name)));
            if (blob == null) {
                return Optional.empty();
            }
            return Optional.of(new ObjectInfo(name, blob.getSize() == null ? -1 : blob.getSize(),
                    blob.getMd5(), blob.getCrc32c(), blob.getGeneration() == null ? 0 : blob.getGeneration()));
        } catch (StorageException e) {
            throw gcs.translate(e, "reading the metadata of gs://" + url.bucket() + "/" + objectName(name), url.bucket());
        }
    }

    @Override
    public ReadableByteChannel open(ObjectInfo info, long offset, long length) throws IOException {
        BlobId id = info.generation() > 0
                ? BlobId.of(url.bucket(), objectName(info.name()), info.generation())
                : BlobId.of(url.bucket(), objectName(info.name()));
        ReadChannel reader = gcs.storage().reader(id);
        reader.setChunkSize(0);
        reader.seek(offset);
        if (length >= 0) {
            reader.limit(offset + length);
        }
        String what = "reading gs://" + url.bucket() + "/" + objectName(info.name());
        return new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                try {
                    return reader.read(dst);
                } catch (IOException | StorageException e) {
                    StorageException cause = storageCause(e);
                    if (cause == null) {
                        throw e instanceof IOException io ? io : new IOException(e);
                    }
                    if (cause.getCode() == 404) { // a pinned generation is gone: the object was replaced
                        throw new ArchiveError(what + ": the object changed or disappeared (404); starting over", false, e);
                    }
                    throw gcs.translate(cause, what, url.bucket());
                }
            }

            @Override
            public boolean isOpen() {
                return reader.isOpen();
            }

            @Override
            public void close() {
                reader.close();
            }
        };
    }

    /**
     * Pushed through the client's lower layer ({@code StorageRpc.read} into a stream, the path of
     * {@code Storage.downloadTo}): its pull channel reads 8 KiB at a time through
     * {@code Channels.newChannel} and asks the socket how much is available after each read, which
     * cost a third more than curl for the same object. Same request: pinned to the generation,
     * a Range from {@code offset}, errors said as for {@link #open}.
     */
    @Override
    public void copyTo(ObjectInfo info, long offset, java.io.OutputStream sink) throws IOException {
        StorageObject object = new StorageObject().setBucket(url.bucket()).setName(objectName(info.name()));
        if (info.generation() > 0) {
            object.setGeneration(info.generation());
        }
        String what = "reading gs://" + url.bucket() + "/" + objectName(info.name());
        try {
            ((StorageRpc) gcs.storage().getOptions().getRpc()).read(object, Map.of(StorageRpc.Option.RETURN_RAW_INPUT_STREAM, true),
                    offset, sink);
        } catch (StorageException e) {
            IOException stopped = sinkFailure(e);
            if (stopped != null) {
                throw stopped; // the sink stopped the transfer (a slice cut, a cancel): not the store's doing
            }
            if (e.getCode() == 404) {
                throw new ArchiveError(what + ": the object changed or disappeared (404); starting over", false, e);
            }
            throw gcs.translate(e, what, url.bucket());
        }
    }

    /** The exception the sink threw, when that is what ended the transfer. */
    private static IOException sinkFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SinkStopped stopped) {
                return stopped;
            }
        }
        return null;
    }

    /** The client wraps its StorageException in an IOException on reads. */
    private static StorageException storageCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StorageException se) {
                return se;
            }
        }
        return null;
    }

    @Override
    public String describe() {
        return url.url();
    }
}
