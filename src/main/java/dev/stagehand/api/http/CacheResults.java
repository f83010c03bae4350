package dev.stagehand.api.http;

import dev.stagehand.staging.CacheResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code stagehand_cache_requests_total{rpc, result}}: requests by RPC and what they found: the
 * artifact or object staged already ({@code hit}), a job already fetching it ({@code joined}), or
 * a new job ({@code miss}). The caching protocol's RPCs and the devserver's stage RPCs alike.
 */
public final class CacheResults {
    private final MeterRegistry registry;

    public CacheResults(MeterRegistry registry) {
        this.registry = registry;
    }

    public void count(String rpc, CacheResult result) {
        Counter.builder("stagehand_cache_requests").tag("rpc", rpc).tag("result", result.name().toLowerCase())
                .description("Requests by RPC and cache result").register(registry).increment();
    }
}
