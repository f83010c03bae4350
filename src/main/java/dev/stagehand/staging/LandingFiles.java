package dev.stagehand.staging;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Files a job on this node is writing right now, by their place under the static dir, so that
 * /static can stream them to devices while they land: how many bytes from the start are on disk,
 * and whether the file ended verified and installed, or failed.
 */
public final class LandingFiles {
    public enum State { LANDING, INSTALLED, FAILED }

    /** The size of a file whose length is known only once it has landed whole. */
    public static final long UNKNOWN = -1;

    /** The object a landing file copies, read by range straight from its store. */
    public interface StoreRanges {
        /** Bytes {@code [offset, offset + length)} of the object as it is landing (same generation). */
        ReadableByteChannel open(long offset, long length) throws IOException;
    }

    /** One file landing; readers follow it through {@link #onChange}. */
    public static final class Landing {
        private final String staticPath;
        private volatile Path file;
        private final long size;
        private final AtomicLong landed = new AtomicLong();
        private volatile State state = State.LANDING;
        private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
        private volatile Runnable firstOnDisk;
        private volatile Runnable firstSent;
        private final StoreRanges store;

        private Landing(String staticPath, Path file, long size, StoreRanges store, Runnable firstOnDisk, Runnable firstSent) {
            this.store = store;
            this.staticPath = staticPath;
            this.file = file;
            this.size = size;
            this.firstOnDisk = firstOnDisk;
            this.firstSent = firstSent;
        }

        /** A reader got its first bytes of this file (for the first-byte timing; once). */
        public void sent() {
            Runnable once = firstSent;
            if (once != null) {
                firstSent = null;
                once.run();
            }
        }

        /** Where the bytes are written; open it while landing (the install moves it, the open file stays valid). */
        public Path file() {
            return file;
        }

        /** The file's length, or {@link #UNKNOWN} until it ends (a decompression's). */
        public long size() {
            return size;
        }

        /** Bytes from the start on disk with no gap; once INSTALLED, all of them. */
        public long landed() {
            return state == State.INSTALLED && size != UNKNOWN ? size : landed.get();
        }

        public State state() {
            return state;
        }

        /**
         * Runs {@code listener} (once) at the next change after {@code seen} bytes: more bytes,
         * installed, or failed; at once if that change already happened.
         */
        public void onChange(long seen, Runnable listener) {
            listeners.add(listener);
            if (state != State.LANDING || landed() > seen) {
                fire();
            }
        }

        /** Where a range far ahead of the landed bytes can be read meanwhile; empty for a member being unpacked. */
        public Optional<StoreRanges> store() {
            return Optional.ofNullable(store);
        }

        /** The file moved (into the attempt's work dir); readers that open it from now on open it there. */
        void movedTo(Path path) {
            file = path;
        }

        void landed(long bytes) {
            if (bytes > landed.getAndAccumulate(bytes, Math::max)) {
                Runnable once = firstOnDisk;
                if (once != null) {
                    firstOnDisk = null;
                    once.run();
                }
                fire();
            }
        }

        private void fire() {
            for (Runnable listener : listeners) {
                if (listeners.remove(listener)) {
                    listener.run();
                }
            }
        }
    }

    private final Map<String, Landing> landing = new ConcurrentHashMap<>();
    private final Map<String, List<Runnable>> awaiting = new ConcurrentHashMap<>();

    /**
     * A file starts landing at {@code file}; readers find it as {@code staticPath} (relative to the
     * static dir). {@code firstOnDisk} and {@code firstSent} hear of its first bytes on disk and at a
     * reader. Readers already waiting for it are told at once.
     */
    Landing begin(String staticPath, Path file, long size, StoreRanges store, Runnable firstOnDisk, Runnable firstSent) {
        Landing l = new Landing(staticPath, file, size, store, firstOnDisk, firstSent);
        landing.put(staticPath, l);
        tellWaiting(staticPath);
        return l;
    }

    /**
     * Runs {@code listener} (once) when a file starts landing at {@code staticPath}, at once if one
     * is; a reader that asked before its job started hears of it without polling.
     */
    public void onBegin(String staticPath, Runnable listener) {
        awaiting.computeIfAbsent(staticPath, p -> new CopyOnWriteArrayList<>()).add(listener);
        if (landing.containsKey(staticPath)) {
            tellWaiting(staticPath);
        }
    }

    /** Readers waiting for the file hear that it began; a reader's trouble is never the job's. */
    private void tellWaiting(String staticPath) {
        List<Runnable> waiting = awaiting.remove(staticPath);
        if (waiting == null) {
            return;
        }
        for (Runnable listener : waiting) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(LandingFiles.class).warn("a reader of {} could not be woken", staticPath, e);
            }
        }
    }

    /** Drops a listener that stopped waiting (its reader gave up). */
    public void forget(String staticPath, Runnable listener) {
        awaiting.computeIfPresent(staticPath, (p, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    /** Verified and installed under its final name: readers finish from the bytes they have open. */
    void installed(Landing l) {
        end(l, State.INSTALLED);
    }

    /** Never to be installed: readers abort their responses. */
    void failed(Landing l) {
        end(l, State.FAILED);
    }

    private void end(Landing l, State state) {
        l.state = state;
        landing.remove(l.staticPath, l);
        l.fire();
    }

    public Optional<Landing> find(String staticPath) {
        return Optional.ofNullable(landing.get(staticPath));
    }
}
