package dev.stagehand.common;

/**
 * The lab's ids of the task that made a request, as its clients send them ({@code
 * X-SWARMING-TASK-ID}, {@code X-BBID}; the caching service logs them too): kept with the request
 * in the ledger, so a job's history leads back to the tasks that asked. Each is at most {@link
 * #MAX} characters with control characters escaped, or null when not sent.
 */
public record TaskIds(String swarmingTaskId, String bbid) {
    public static final String SWARMING_HEADER = "X-SWARMING-TASK-ID";
    public static final String BBID_HEADER = "X-BBID";
    /** The ledger's column width. */
    public static final int MAX = 128;
    public static final TaskIds NONE = new TaskIds(null, null);

    /** From a request's headers, by name. */
    public static TaskIds fromHeaders(java.util.function.UnaryOperator<String> header) {
        return of(header.apply(SWARMING_HEADER), header.apply(BBID_HEADER));
    }

    /** From the headers as sent (null when absent, or blank). */
    public static TaskIds of(String swarmingTaskId, String bbid) {
        return new TaskIds(clean(swarmingTaskId), clean(bbid));
    }

    /** Escaped one character at a time, to at most MAX: never half an escape or half a surrogate pair. */
    private static String clean(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        StringBuilder kept = new StringBuilder();
        for (int cp : header.trim().codePoints().toArray()) {
            String one = CallerText.escape(new String(Character.toChars(cp)));
            if (kept.length() + one.length() > MAX) {
                break;
            }
            kept.append(one);
        }
        return kept.toString();
    }

    /** The ids for an access log line: empty, or {@code ", swarming task T, bbid B"}. */
    public String forLog() {
        return (swarmingTaskId == null ? "" : ", swarming task " + swarmingTaskId) + (bbid == null ? "" : ", bbid " + bbid);
    }
}
