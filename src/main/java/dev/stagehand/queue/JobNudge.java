package dev.stagehand.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** What a nudge to a holder says: the ids of jobs it should schedule ("12,13,40"). */
final class JobNudge {
    /** PostgreSQL takes payloads under 8000 bytes; ids beyond these wait for the reconciliation. */
    private static final int MOST_IDS = 400;

    private JobNudge() {}

    static String payload(List<Long> jobIds) {
        return jobIds.stream().limit(MOST_IDS).map(String::valueOf).collect(Collectors.joining(","));
    }

    /** The ids in a payload; anything that is not one is skipped (a nudge is only a hint). */
    static List<Long> jobIds(String payload) {
        List<Long> ids = new ArrayList<>();
        for (String part : payload.split(",")) {
            try {
                ids.add(Long.parseLong(part.trim()));
            } catch (NumberFormatException notAnId) {
                // skipped
            }
        }
        return ids;
    }
}
