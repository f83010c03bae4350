package dev.stagehand.api.http;

import dev.stagehand.staging.LandingFiles;
import dev.stagehand.staging.BuildFiles;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/**
 * /static for a file that a job is still landing: answered at once with the object's length,
 * then its bytes as they land, in order; Range requests wait for their bytes. The stream ends
 * when the job has verified and installed the file, and is aborted (connection reset) if the job
 * fails, so a device never takes a short or wrong file for a whole one. Waiting readers hold no
 * thread: servlet non-blocking writes, resumed when more bytes land.
 */
public final class LandingStreams implements AutoCloseable {
    /** Whether a response to this request may be chunked: not HTTP/1.0, and no {@code Connection: close}. */
    static boolean takesChunks(HttpServletRequest req) {
        String connection = req.getHeader("Connection");
        return !"HTTP/1.0".equals(req.getProtocol())
                && (connection == null || java.util.Arrays.stream(connection.split(",")).noneMatch(t -> t.trim().equalsIgnoreCase("close")));
    }

    private static final int CHUNK = 256 << 10;
    private static final long WAIT_FOR_JOB_MS = 60_000;
    /** A range starting this far past the landed bytes is read from the store rather than waited for. */
    static final long FAR_AHEAD = 8L << 20;
    private static final int STORE_READERS = 8;
    /** Request attribute: the request that will produce the file was just recorded (no need to ask the ledger). */
    static final String JOB_RECORDED = "stagehand.jobRecorded";
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final LandingFiles landing;
    private final BuildFiles files;
    private final Path root;
    private final java.time.Clock clock;
    private final ScheduledExecutorService poll = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "landing-poll");
        t.setDaemon(true);
        return t;
    });

    // Blocking reads from the store for ranges far ahead; few, and a bounded number at once.
    private final ExecutorService storeReads = Executors.newFixedThreadPool(STORE_READERS, r -> {
        Thread t = new Thread(r, "landing-store-read");
        t.setDaemon(true);
        return t;
    });

    public LandingStreams(LandingFiles landing, BuildFiles files, Path root, java.time.Clock clock) {
        this.clock = clock;
        this.landing = landing;
        this.files = files;
        this.root = root;
    }

    /**
     * Takes the request when {@code file} (relative to the static dir) is not installed but is
     * landing, or a queued job will land it; false when the static files should answer (404).
     */
    boolean take(HttpServletRequest req, HttpServletResponse res, String file) {
        if (Files.exists(root.resolve(file))) {
            return false;
        }
        var now = landing.find(file);
        if (now.isPresent()) {
            new Reader(req, res, now.get(), req.startAsync()).start();
            return true;
        }
        // A reader sent on by /download comes right after its request was recorded: a job will produce it.
        if (!Boolean.TRUE.equals(req.getAttribute(JOB_RECORDED)) && !files.mayProduce(file)) {
            return false;
        }
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        AtomicBoolean answered = new AtomicBoolean();
        Runnable begun = () -> landing.find(file).filter(l -> answered.compareAndSet(false, true))
                .ifPresent(l -> poll.execute(() -> new Reader(req, res, l, async).start()));
        landing.onBegin(file, begun); // the moment its job starts writing it
        awaitLanding(req, res, file, async, clock.millis() + WAIT_FOR_JOB_MS, answered, begun);
        return true;
    }

    /**
     * A queued job has not started the file yet: the reader is woken when it does ({@link
     * LandingFiles#onBegin}); meanwhile, once a second, whether it was installed on another node,
     * or no job will produce it any more, or a minute passed (no thread waits).
     */
    private void awaitLanding(HttpServletRequest req, HttpServletResponse res, String file, AsyncContext async, long deadline,
            AtomicBoolean answered, Runnable begun) {
        poll.schedule(() -> {
            if (answered.get()) {
                return;
            }
            boolean produced = Files.exists(root.resolve(file)) || files.mayProduce(file);
            // Looked at again after the ledger: a job may have installed the file and ended in between.
            if (Files.exists(root.resolve(file)) && answered.compareAndSet(false, true)) {
                landing.forget(file, begun);
                async.dispatch(); // installed meanwhile: the static files answer
            } else if ((!produced || clock.millis() > deadline) && answered.compareAndSet(false, true)) {
                landing.forget(file, begun);
                if (produced) { // its job is still queued or working (a long decompression, a backlog): not a 404
                    res.setHeader("Retry-After", "5");
                    PlainErrors.send(res, 503, "still being staged; ask again");
                } else {
                    PlainErrors.send(res, 404, "no such file");
                }
                async.complete();
            } else {
                awaitLanding(req, res, file, async, deadline, answered, begun);
            }
        }, 1, TimeUnit.SECONDS);
    }

    /** One response following one landing file. */
    private final class Reader implements WriteListener {
        private final HttpServletRequest req;
        private final HttpServletResponse res;
        private final LandingFiles.Landing file;
        private final AsyncContext async;
        private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        private FileChannel channel;
        private ServletOutputStream out;
        private long position;
        private long end;
        /** Bytes written since the last flush. */
        private boolean unflushed;

        Reader(HttpServletRequest req, HttpServletResponse res, LandingFiles.Landing file, AsyncContext async) {
            this.req = req;
            this.res = res;
            this.file = file;
            this.async = async;
        }

        void start() {
            async.setTimeout(0);
            if (file.size() == LandingFiles.UNKNOWN) {
                startUnknownLength();
                return;
            }
            long size = file.size();
            position = 0;
            end = size;
            Matcher range = req.getHeader("Range") == null ? null : RANGE.matcher(req.getHeader("Range").trim());
            if (range != null && range.matches() && !(range.group(1).isEmpty() && range.group(2).isEmpty())) {
                if (range.group(1).isEmpty()) { // the last N bytes
                    position = Math.max(0, size - Long.parseLong(range.group(2)));
                } else {
                    position = Long.parseLong(range.group(1));
                    end = range.group(2).isEmpty() ? size : Math.min(size, Long.parseLong(range.group(2)) + 1);
                }
                if (position >= size || position >= end) {
                    res.setStatus(416);
                    res.setHeader("Content-Range", "bytes */" + size);
                    async.complete();
                    return;
                }
                res.setStatus(206);
                res.setHeader("Content-Range", "bytes " + position + "-" + (end - 1) + "/" + size);
            } else {
                res.setStatus(200);
            }
            res.setContentType("application/octet-stream");
            res.setHeader("Accept-Ranges", "bytes");
            res.setContentLengthLong(end - position);
            if (req.getMethod().equals("HEAD")) {
                async.complete();
                return;
            }
            var store = file.store();
            if (store.isPresent() && file.state() == LandingFiles.State.LANDING && position > file.landed() + FAR_AHEAD) {
                try {
                    storeReads.execute(() -> fromStore(store.get()));
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    abort();
                }
                return;
            }
            openAndStream();
        }

        /**
         * A file whose length is known only at its end (a decompression): a GET streams it as it
         * lands without a Content-Length, ended by the install (the chunked body's last chunk) or
         * cut by a failure; a HEAD or a Range, which need the length, and a client the body could not
         * be chunked for (HTTP/1.0, Connection: close, or one a peer's proxy serves so), wait for the install.
         */
        private void startUnknownLength() {
            // Without chunks (HTTP/1.0, or a connection the client asked to close) such a body ends by
            // closing the connection: a cut would look like its end.
            if (req.getMethod().equals("HEAD") || req.getHeader("Range") != null || !chunked()) {
                awaitEnd();
                return;
            }
            position = 0;
            end = Long.MAX_VALUE;
            res.setStatus(200);
            res.setContentType("application/octet-stream");
            openAndStream();
        }

        /** Whether the response to a body of unknown length is chunked, so a cut cannot pass for its end. */
        private boolean chunked() {
            return takesChunks(req) && req.getHeader(PlacedReads.UNCHUNKED_HEADER) == null;
        }

        private void awaitEnd() {
            switch (file.state()) {
                case LANDING -> file.onChange(file.landed(), () -> poll.execute(this::awaitEnd));
                case INSTALLED -> async.dispatch(); // the static files answer, with its length
                case FAILED -> {
                    res.setHeader("Retry-After", "5");
                    PlainErrors.send(res, 503, "its job failed; ask again");
                    async.complete();
                }
            }
        }

        /**
         * A range far past the landed bytes, read by range from the store (the generation the job
         * pinned) while the whole object keeps landing, instead of waiting for the bytes before it.
         */
        private void fromStore(LandingFiles.StoreRanges store) {
            try (ReadableByteChannel in = store.open(position, end - position)) {
                OutputStream body = res.getOutputStream();
                while (position < end) {
                    buffer.clear().limit((int) Math.min(CHUNK, end - position));
                    int n = in.read(buffer);
                    if (n < 0) {
                        throw new EOFException("the store's range ended early");
                    }
                    body.write(buffer.array(), 0, n);
                    position += n;
                }
                async.complete();
            } catch (IOException | RuntimeException e) { // never an async request left open: a reset
                abort();
            }
        }

        /** Opens the landing file and streams; a file not created yet (no byte landed) is waited for. */
        private void openAndStream() {
            try {
                channel = FileChannel.open(file.file(), StandardOpenOption.READ);
                out = res.getOutputStream();
                out.setWriteListener(this);
            } catch (java.nio.file.NoSuchFileException notYet) {
                if (file.state() == LandingFiles.State.LANDING) { // its job just began: the first bytes create it
                    file.onChange(file.landed(), () -> poll.execute(this::openAndStream));
                } else if (file.state() == LandingFiles.State.FAILED) {
                    abort();
                } else {
                    async.dispatch(); // moved into place meanwhile: the static files answer
                }
            } catch (IOException moved) {
                async.dispatch(); // moved into place meanwhile: the static files answer
            }
        }

        @Override
        public void onWritePossible() throws IOException {
            while (out.isReady()) {
                if (position >= end) {
                    finish();
                    return;
                }
                if (file.state() == LandingFiles.State.FAILED) {
                    abort();
                    return;
                }
                // The response's last byte waits for the install: until the file is verified, the
                // body stays short, so a failure can still turn it into a broken transfer.
                LandingFiles.State state = file.state();
                long landed = file.landed(); // read after the state: once INSTALLED, every byte is counted
                if (end == Long.MAX_VALUE && state == LandingFiles.State.INSTALLED && position >= landed) {
                    finish(); // a file of unknown length: all of it sent
                    return;
                }
                long available = Math.min(state == LandingFiles.State.INSTALLED || end == Long.MAX_VALUE ? end : end - 1, landed);
                if (position >= available) {
                    if (unflushed) {
                        // What was written goes out now, not once the response's buffer fills: a
                        // reader's first bytes would otherwise wait for the next slices to land.
                        unflushed = false;
                        out.flush();
                        if (!out.isReady()) {
                            return; // called again once flushed
                        }
                    }
                    file.onChange(landed, () -> async.start(this::resume)); // woken when more bytes land, or at the end
                    return;
                }
                buffer.clear().limit((int) Math.min(CHUNK, available - position));
                int n = channel.read(buffer, position);
                if (n <= 0) {
                    abort();
                    return;
                }
                position += n;
                out.write(buffer.array(), 0, n);
                unflushed = true;
                file.sent();
            }
        }

        private void resume() {
            try {
                onWritePossible();
            } catch (IOException e) {
                onError(e);
            }
        }

        /** All bytes sent; the response ends only once the file is installed (verified), or aborts if it failed. */
        private void finish() throws IOException {
            if (file.state() == LandingFiles.State.INSTALLED) {
                channel.close();
                async.complete();
            } else if (file.state() == LandingFiles.State.FAILED) {
                abort();
            } else {
                file.onChange(file.landed(), () -> async.start(this::resume));
            }
        }

        /** A reset, never a clean end: the client must not take what it got for the whole file. */
        private void abort() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            // Bytes are flushed as they land: once any went out, the reader gets a reset, never a short body.
            if (!res.isCommitted()) { // nothing sent yet (a one-byte file holds its byte back): one plain line, not a reset
                res.reset();
                res.setHeader("Retry-After", "5");
                PlainErrors.send(res, 503, "its job failed before the file was whole; ask again");
                async.complete();
                return;
            }
            ServletContextRequest.getServletContextRequest(req).getServletChannel()
                    .abort(new IOException("the file failed verification or its job failed"));
        }

        @Override
        public void onError(Throwable t) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // the client went away
            }
        }
    }

    @Override
    public void close() {
        poll.shutdownNow();
        storeReads.shutdownNow();
    }
}
