package dev.stagehand.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * A small Google Cloud Storage JSON-API server on loopback for tests and benchmarks: object
 * metadata, listing with prefix/delimiter/pagination, media download with Range, md5/crc32c,
 * generations, and injected faults (503s, dropped connections, corrupt bytes, slowness,
 * objects that appear later).
 */
public final class FakeGcs implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, StoredObject> objects = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong(1_700_000_000_000_000L);
    private final AtomicLong mediaBytesServed = new AtomicLong();
    private final Map<String, AtomicLong> bytesServedByObject = new ConcurrentHashMap<>();
    private final Map<String, Faults> faults = new ConcurrentHashMap<>();
    private final AtomicInteger mediaRequests = new AtomicInteger();
    private final AtomicInteger listRequests = new AtomicInteger();
    /** Listings wait on it while a test holds them ({@link #holdListings}). */
    private volatile java.util.concurrent.CountDownLatch listingGate = new java.util.concurrent.CountDownLatch(0);
    private final AtomicInteger metadataRequests = new AtomicInteger();
    private final java.util.Set<String> deniedBuckets = ConcurrentHashMap.newKeySet();
    private final java.util.Set<String> buckets = ConcurrentHashMap.newKeySet();
    private volatile boolean requireAuth;
    private volatile long bytesPerSecondPerConnection;
    private final AtomicInteger mediaInFlight = new AtomicInteger();
    private final AtomicInteger maxMediaInFlight = new AtomicInteger();
    private final Map<String, List<Long>> rangeStarts = new ConcurrentHashMap<>();

    /** Faults for one object; counters say how many more requests they hit. */
    public static final class Faults {
        public final AtomicInteger unavailable = new AtomicInteger();
        public final AtomicInteger dropAfterBytes = new AtomicInteger();
        public volatile long dropAt = -1;
        public final AtomicInteger corrupt = new AtomicInteger();
        public volatile long delayPerMegabyteMs;
        public volatile long visibleAfterMillis;
        /** The delay applies only to responses starting at or after this byte (-1: all). */
        public volatile long delayFrom = -1;
        /** Metadata without a crc32c (only an md5), as some stores give. */
        public volatile boolean noCrc32c;
        /**
         * A download stops once it has sent the bytes before this offset (give or take one buffer)
         * and goes on when the test moves it on or sets it to -1, or after a minute.
         */
        public volatile long holdAt = -1;
    }

    private record StoredObject(String bucket, String name, Path file, byte[] bytes, long size, long generation,
            String md5, String crc32c, long createdMillis) {
        InputStream open(long offset) throws IOException {
            if (bytes != null) {
                return new java.io.ByteArrayInputStream(bytes, (int) offset, bytes.length - (int) offset);
            }
            InputStream in = Files.newInputStream(file);
            in.skipNBytes(offset);
            return in;
        }
    }

    static {
        // Like a real server, send small responses at once: with Nagle's algorithm on, the JDK
        // server holds a small body back until the client ACKs the headers, which a delayed ACK
        // puts off by 40 ms; every metadata call would pay that. Read once, at the first server.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public FakeGcs() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-gcs");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void put(String bucket, String name, byte[] content) {
        store(bucket, name, null, content, content.length, digest(content));
    }

    /** Forgets every object of {@code bucket} under {@code prefix} (a long soak frees what it is done with). */
    public void removeAll(String bucket, String prefix) {
        objects.keySet().removeIf(key -> key.startsWith(bucket + "/" + prefix));
    }

    /** Large objects come from a file so the fake needs no heap for them. */
    public void putFile(String bucket, String name, Path file) throws IOException {
        String[] sums;
        try (InputStream in = Files.newInputStream(file)) {
            sums = digest(in);
        }
        store(bucket, name, file, null, Files.size(file), sums);
    }

    /** An empty bucket (putting an object creates its bucket too); listing any other bucket is a 404. */
    public void createBucket(String bucket) {
        buckets.add(bucket);
    }

    private void store(String bucket, String name, Path file, byte[] bytes, long size, String[] sums) {
        buckets.add(bucket);
        objects.put(bucket + "/" + name, new StoredObject(bucket, name, file, bytes, size, generations.incrementAndGet(),
                sums[0], sums[1], System.currentTimeMillis()));
    }

    public Faults faults(String bucket, String name) {
        return faults.computeIfAbsent(bucket + "/" + name, k -> new Faults());
    }

    public long mediaBytesServed() {
        return mediaBytesServed.get();
    }

    public long bytesServed(String bucket, String name) {
        return bytesServedByObject.getOrDefault(bucket + "/" + name, new AtomicLong()).get();
    }

    /** Object listings served (a build's archive looked at). */
    public int listRequests() {
        return listRequests.get();
    }

    /** Listings that arrive from now on wait (counted) until {@link #openListings}, or a minute. */
    public void holdListings() {
        listingGate = new java.util.concurrent.CountDownLatch(1);
    }

    public void openListings() {
        listingGate.countDown();
    }

    /** Requests for one object's metadata (stat), of any object. */
    public int metadataRequests() {
        return metadataRequests.get();
    }

    public int mediaRequests() {
        return mediaRequests.get();
    }

    /** Every request to this bucket is answered 403, as GCS does for credentials that may not read it. */
    public void deny(String bucket) {
        deniedBuckets.add(bucket);
    }

    /** Requests without an Authorization header are answered 401, as GCS does for a private bucket. */
    public void requireAuth() {
        requireAuth = true;
    }

    /** The bucket a request names (JSON API or media path), or null. */
    private static String bucketOf(String path) {
        for (String prefix : new String[] {"/download/storage/v1/b/", "/storage/v1/b/"}) {
            if (path.startsWith(prefix)) {
                String rest = path.substring(prefix.length());
                int slash = rest.indexOf('/');
                return slash < 0 ? rest : rest.substring(0, slash);
            }
        }
        return null;
    }

    /** Answers 401/403 when the request may not read its bucket. */
    private boolean refused(HttpExchange ex, String path) throws IOException {
        if (requireAuth && ex.getRequestHeaders().getFirst("Authorization") == null) {
            send(ex, 401, "{\"error\":{\"code\":401,\"message\":\"Anonymous caller does not have storage.objects.get access.\"}}");
            return true;
        }
        if (deniedBuckets.contains(bucketOf(path))) {
            send(ex, 403, "{\"error\":{\"code\":403,\"message\":\"caller does not have storage.objects.list access\"}}");
            return true;
        }
        return false;
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            if (refused(ex, path)) {
                return;
            }
            if (path.startsWith("/download/storage/v1/b/")) {
                media(ex, path.substring("/download/storage/v1/b/".length()), query);
            } else if (path.startsWith("/storage/v1/b/")) {
                String rest = path.substring("/storage/v1/b/".length());
                int o = rest.indexOf("/o");
                String bucket = rest.substring(0, o);
                if (rest.length() == o + 2) {
                    list(ex, bucket, query);
                } else {
                    metadata(ex, bucket, rest.substring(o + 3));
                }
            } else {
                send(ex, 404, "{\"error\":{\"code\":404,\"message\":\"no route\"}}");
            }
        } catch (IOException dropped) {
            // a dropped connection is one of the faults we inject
        } finally {
            ex.close();
        }
    }

    private StoredObject visible(String bucket, String name) {
        StoredObject obj = objects.get(bucket + "/" + name);
        Faults f = faults.get(bucket + "/" + name);
        if (obj != null && f != null && System.currentTimeMillis() < obj.createdMillis() + f.visibleAfterMillis) {
            return null;
        }
        return obj;
    }

    private boolean unavailable(HttpExchange ex, String key) throws IOException {
        Faults f = faults.get(key);
        if (f != null && f.unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            send(ex, 503, "{\"error\":{\"code\":503,\"message\":\"injected\"}}");
            return true;
        }
        return false;
    }

    private void metadata(HttpExchange ex, String bucket, String name) throws IOException {
        metadataRequests.incrementAndGet();
        if (unavailable(ex, bucket + "/" + name)) {
            return;
        }
        StoredObject obj = visible(bucket, name);
        if (obj == null) {
            send(ex, 404, "{\"error\":{\"code\":404,\"message\":\"No such object: " + bucket + "/" + name + "\"}}");
            return;
        }
        Faults f = faults.get(bucket + "/" + name);
        String body = json(obj);
        if (f != null && f.noCrc32c) {
            body = body.replace(",\"crc32c\":\"" + obj.crc32c() + "\"", "");
        }
        send(ex, 200, body);
    }

    private void list(HttpExchange ex, String bucket, Map<String, String> query) throws IOException {
        listRequests.incrementAndGet();
        try {
            listingGate.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String prefix = query.getOrDefault("prefix", "");
        String delimiter = query.get("delimiter");
        int max = Integer.parseInt(query.getOrDefault("maxResults", "1000"));
        String after = query.get("pageToken");
        if (!buckets.contains(bucket)) {
            send(ex, 404, "{\"error\":{\"code\":404,\"message\":\"The specified bucket does not exist.\"}}");
            return;
        }
        TreeMap<String, StoredObject> matching = new TreeMap<>();
        List<String> prefixes = new ArrayList<>();
        for (StoredObject obj : objects.values()) {
            if (!obj.bucket().equals(bucket) || !obj.name().startsWith(prefix) || visible(bucket, obj.name()) == null) {
                continue;
            }
            String rest = obj.name().substring(prefix.length());
            if (delimiter != null && rest.contains(delimiter)) {
                String p = prefix + rest.substring(0, rest.indexOf(delimiter) + 1);
                if (!prefixes.contains(p)) {
                    prefixes.add(p);
                }
            } else {
                matching.put(obj.name(), obj);
            }
        }
        List<StoredObject> page = new ArrayList<>((after == null ? matching : matching.tailMap(after, false)).values());
        boolean more = page.size() > max;
        page = page.subList(0, Math.min(max, page.size()));
        String next = more ? page.get(page.size() - 1).name() : null;
        List<String> items = page.stream().map(this::json).toList();
        StringBuilder body = new StringBuilder("{\"kind\":\"storage#objects\",\"items\":[").append(String.join(",", items)).append("]");
        if (!prefixes.isEmpty()) {
            body.append(",\"prefixes\":[").append(String.join(",", prefixes.stream().map(p -> "\"" + p + "\"").toList())).append("]");
        }
        if (next != null) {
            body.append(",\"nextPageToken\":\"").append(next).append("\"");
        }
        send(ex, 200, body.append("}").toString());
    }

    private void media(HttpExchange ex, String rest, Map<String, String> query) throws IOException {
        mediaRequests.incrementAndGet();
        int o = rest.indexOf("/o/");
        String bucket = rest.substring(0, o);
        String name = rest.substring(o + 3);
        String key = bucket + "/" + name;
        if (unavailable(ex, key)) {
            return;
        }
        StoredObject obj = visible(bucket, name);
        if (obj == null || query.containsKey("generation") && Long.parseLong(query.get("generation")) != obj.generation()) {
            send(ex, 404, "{\"error\":{\"code\":404,\"message\":\"No such object\"}}");
            return;
        }
        long start = 0;
        long end = obj.size() - 1;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && range.startsWith("bytes=")) {
            String[] parts = range.substring(6).split("-", -1);
            start = Long.parseLong(parts[0]);
            if (!parts[1].isEmpty()) {
                end = Math.min(end, Long.parseLong(parts[1]));
            }
        }
        ex.getResponseHeaders().add("x-goog-generation", Long.toString(obj.generation()));
        ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
        long length = Math.max(0, end - start + 1);
        if (range != null) {
            ex.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + end + "/" + obj.size());
            ex.sendResponseHeaders(206, length == 0 ? -1 : length);
        } else {
            ex.sendResponseHeaders(200, length == 0 ? -1 : length);
        }
        Faults f = faults.get(key);
        long dropAt = f != null && f.dropAfterBytes.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? f.dropAt : -1;
        boolean corrupt = f != null && f.corrupt.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        long delay = f == null || f.delayFrom > start ? 0 : f.delayPerMegabyteMs;
        rangeStarts.computeIfAbsent(key, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(start);
        AtomicLong perObject = bytesServedByObject.computeIfAbsent(key, k -> new AtomicLong());
        long rate = bytesPerSecondPerConnection;
        int streams = mediaInFlight.incrementAndGet();
        maxMediaInFlight.accumulateAndGet(streams, Math::max);
        long began = System.nanoTime();
        try (InputStream in = obj.open(start); OutputStream out = ex.getResponseBody()) {
            // a slow object trickles in small pieces
            byte[] buf = new byte[delay > 0 || rate > 0 ? 64 << 10 : 1 << 20];
            long sent = 0;
            while (sent < length) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, length - sent));
                if (n < 0) {
                    break;
                }
                if (dropAt >= 0 && sent + n > dropAt) {
                    int partial = (int) Math.max(0, dropAt - sent);
                    out.write(buf, 0, partial);
                    out.flush();
                    count(perObject, partial);
                    // Let the client take delivery first: a reset makes the receiving kernel drop
                    // what it has not read yet, and the test measures our resume, not that race.
                    sleep(300);
                    resetConnection(ex);
                    throw new IOException("injected connection drop");
                }
                awaitHold(f, start + sent);
                if (corrupt && sent == 0) {
                    buf[0] ^= 0x5a;
                }
                if (delay > 0) {
                    // before the bytes, so that a response is complete when its last byte is sent
                    // (a client then reuses the connection at once)
                    sleep(delay * n / (1 << 20));
                }
                if (rate > 0) { // hold this connection to its rate, as real GCS caps one stream
                    long due = began + (sent + n) * 1_000_000_000L / rate;
                    sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
                }
                out.write(buf, 0, n);
                count(perObject, n);
                sent += n;
            }
        } finally {
            mediaInFlight.decrementAndGet();
        }
    }

    /** Every media response is held to this many bytes per second (0: as fast as loopback goes). */
    public void throttlePerConnection(long bytesPerSecond) {
        bytesPerSecondPerConnection = bytesPerSecond;
    }

    /** Where each media request for the object started (0 for a whole-object GET), in arrival order. */
    public List<Long> rangeStarts(String bucket, String name) {
        return List.copyOf(rangeStarts.getOrDefault(bucket + "/" + name, List.of()));
    }

    /** The most media responses that were being sent at once. */
    public int maxMediaInFlight() {
        return maxMediaInFlight.get();
    }

    /**
     * A real TCP reset mid-body. The JDK server keeps the socket open when a response is cut
     * short, so reach its channel (surefire opens sun.net.httpserver to tests for this).
     */
    private static void resetConnection(HttpExchange ex) {
        try {
            java.lang.reflect.Field impl = ex.getClass().getDeclaredField("impl");
            impl.setAccessible(true);
            Object exchange = impl.get(ex);
            java.lang.reflect.Field connection = exchange.getClass().getDeclaredField("connection");
            connection.setAccessible(true);
            Object conn = connection.get(exchange);
            java.lang.reflect.Field chan = conn.getClass().getDeclaredField("chan");
            chan.setAccessible(true);
            java.nio.channels.SocketChannel channel = (java.nio.channels.SocketChannel) chan.get(conn);
            channel.socket().setSoLinger(true, 0);
            channel.close();
        } catch (ReflectiveOperationException | IOException e) {
            throw new IllegalStateException("cannot reset the connection; is sun.net.httpserver opened to tests?", e);
        }
    }

    private void count(AtomicLong perObject, long n) {
        perObject.addAndGet(n);
        mediaBytesServed.addAndGet(n);
    }

    /** Lets every held download go on (for a test's finally: a server closing waits for its downloads). */
    public void releaseHolds() {
        faults.values().forEach(f -> f.holdAt = -1);
    }

    /** Waits while a hold applies; one that lasts a minute is let go (a failed test must not keep a server from closing). */
    private static void awaitHold(Faults f, long offset) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (f != null && f.holdAt >= 0 && offset >= f.holdAt) {
            if (System.nanoTime() > deadline) {
                f.holdAt = -1;
            }
            sleep(10);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An object resource; gcloud downloads from its mediaLink (without one it fails on a null URL). */
    private String json(StoredObject o) {
        String mediaLink = endpoint() + "/download/storage/v1/b/" + pathSegment(o.bucket()) + "/o/" + pathSegment(o.name())
                + "?generation=" + o.generation() + "&alt=media";
        return "{\"kind\":\"storage#object\",\"id\":\"" + esc(o.bucket() + "/" + o.name() + "/" + o.generation())
                + "\",\"name\":\"" + esc(o.name()) + "\",\"bucket\":\"" + esc(o.bucket())
                + "\",\"generation\":\"" + o.generation() + "\",\"metageneration\":\"1\",\"size\":\"" + o.size()
                + "\",\"md5Hash\":\"" + o.md5() + "\",\"crc32c\":\"" + o.crc32c()
                + "\",\"etag\":\"" + o.generation() + "\",\"contentType\":\"application/octet-stream\",\"storageClass\":\"STANDARD\""
                + ",\"mediaLink\":\"" + esc(mediaLink) + "\""
                + ",\"timeCreated\":\"2024-01-02T03:04:05.678Z\",\"updated\":\"2024-01-02T03:04:05.678Z\"}";
    }

    /** Percent-encodes one path segment ("/" too, as object names in GCS URLs need). */
    private static String pathSegment(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private static String[] digest(byte[] content) {
        try {
            return digest(new java.io.ByteArrayInputStream(content));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String[] digest(InputStream in) throws IOException {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            CRC32C crc = new CRC32C();
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md5.update(buf, 0, n);
                crc.update(buf, 0, n);
            }
            return new String[] {Base64.getEncoder().encodeToString(md5.digest()),
                    Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array())};
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
