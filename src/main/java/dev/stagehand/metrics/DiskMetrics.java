package dev.stagehand.metrics;

import dev.stagehand.staging.DiskSpace;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.LongConsumer;

/** The staging disk as meters: bytes staged, bytes free, evictions, and bytes fetched from archives. */
public final class DiskMetrics implements MeterBinder {
    private final DiskSpace space;
    private Counter evictions;
    private Counter evictedBytes;
    private Counter downloaded;

    public DiskMetrics(DiskSpace space) {
        this.space = space;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("stagehand_staged_bytes", space::stagedBytes).baseUnit("bytes")
                .description("Bytes the staged builds hold").register(registry);
        if (space.quota().maxStagedBytes() != null) { // --max-staged-mb: what the staged bytes are held under
            Gauge.builder("stagehand_max_staged_bytes", () -> space.quota().maxStagedBytes()).baseUnit("bytes")
                    .description("The quota of staged bytes (--max-staged-mb)").register(registry);
        }
        Gauge.builder("stagehand_min_free_bytes", () -> space.quota().minFreeBytes()).baseUnit("bytes")
                .description("Bytes kept free on the static dir's filesystem (--min-free-mb)").register(registry);
        Gauge.builder("stagehand_disk_free_bytes", space::freeBytes).baseUnit("bytes")
                .description("Bytes free on the static dir's filesystem").register(registry);
        evictions = Counter.builder("stagehand_evictions").description("Builds evicted to make room").register(registry);
        evictedBytes = Counter.builder("stagehand_evicted_bytes").description("Bytes freed by evictions")
                .register(registry);
        downloaded = Counter.builder("stagehand_bytes_downloaded")
                .description("Bytes read from archives (GCS, file://)").register(registry);
        space.onEviction(bytes -> {
            evictions.increment();
            evictedBytes.increment(bytes);
        });
    }

    /** Where archive reads report the bytes they fetched. */
    public LongConsumer downloads() {
        return n -> downloaded.increment(n);
    }
}
