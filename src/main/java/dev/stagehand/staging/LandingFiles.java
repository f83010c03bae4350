package dev.stagehand.staging;

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

    /** One file landing; readers follow it through {@link #onChange}. */
    public static final class Landing {
        private final String staticPath;
        private volatile Path file;
        private final long size;
        private final AtomicLong landed = new AtomicLong();
        private volatile State state = State.LANDING;
        private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

        private Landing(String staticPath, Path file, long size) {
            this.staticPath = staticPath;
            this.file = file;
            this.size = size;
        }

        /** Where the bytes are written; open it while landing (the install moves it, the open file stays valid). */
        public Path file() {
            return file;
        }

        public long size() {
            return size;
        }

        /** Bytes from the start on disk with no gap. */
        public long landed() {
            return state == State.INSTALLED ? size : landed.get();
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

        /** The file moved (into the attempt's work dir); readers that open it from now on open it there. */
        void movedTo(Path path) {
            file = path;
        }

        void landed(long bytes) {
            if (bytes > landed.getAndAccumulate(bytes, Math::max)) {
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

    /** A file starts landing at {@code file}; readers find it as {@code staticPath} (relative to the static dir). */
    Landing begin(String staticPath, Path file, long size) {
        Landing l = new Landing(staticPath, file, size);
        landing.put(staticPath, l);
        return l;
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
