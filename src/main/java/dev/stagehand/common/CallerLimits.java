package dev.stagehand.common;

/**
 * What callers together may cost, each with its flag: artifacts and files in one request
 * ({@code --max-request-items}), active jobs of one build ({@code --max-active-jobs-per-build})
 * and in all ({@code --max-active-jobs}), and jobs waiting for their upload in all
 * ({@code --max-waiting-jobs}). A request past one is refused with a 429 and queues nothing.
 */
public record CallerLimits(int maxRequestItems, int maxActivePerBuild, int maxActive, int maxWaiting) {
    public static final int DEFAULT_MAX_REQUEST_ITEMS = 200;
    public static final int DEFAULT_MAX_ACTIVE_PER_BUILD = 1_000;
    public static final int DEFAULT_MAX_ACTIVE = 50_000;
    public static final int DEFAULT_MAX_WAITING = 20_000;

    public static final CallerLimits DEFAULTS = new CallerLimits(DEFAULT_MAX_REQUEST_ITEMS, DEFAULT_MAX_ACTIVE_PER_BUILD,
            DEFAULT_MAX_ACTIVE, DEFAULT_MAX_WAITING);

    public CallerLimits {
        if (maxRequestItems < 1 || maxActivePerBuild < 1 || maxActive < 1 || maxWaiting < 1) {
            throw new IllegalArgumentException("--max-request-items, --max-active-jobs-per-build, --max-active-jobs and"
                    + " --max-waiting-jobs must be at least 1");
        }
    }
}
