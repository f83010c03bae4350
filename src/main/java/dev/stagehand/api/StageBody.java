package dev.stagehand.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagehand.common.CallerText;
import dev.stagehand.common.InvalidRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /api/v1/stage}, read strictly: every field has exactly its documented
 * type (no numbers as booleans, no fractions or negatives as seconds, no nulls in lists), and an
 * unknown field is a mistake rather than something silently ignored.
 */
record StageBody(String archiveUrl, List<String> artifacts, List<String> files, boolean waitForJobs, boolean clean,
        Duration waitForUpload) {
    private static final Set<String> FIELDS = Set.of("archive_url", "artifacts", "files", "wait", "clean", "wait_for_upload_s");

    static StageBody parse(ObjectMapper json, String text) {
        JsonNode body;
        try {
            body = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidRequest("request body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new InvalidRequest("request body must be a JSON object like {\"archive_url\": ..., \"artifacts\": [...]}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!FIELDS.contains(name)) {
                throw new InvalidRequest("unknown field " + CallerText.quote(name) + "; fields are " + FIELDS);
            }
        }
        JsonNode url = body.get("archive_url");
        if (url == null || !url.isTextual()) {
            throw new InvalidRequest("archive_url must be a string");
        }
        JsonNode wait = body.get("wait_for_upload_s");
        Duration waitForUpload = null;
        if (wait != null && !wait.isNull()) {
            if (!wait.isIntegralNumber() || !wait.canConvertToInt() || wait.intValue() < 0) {
                throw new InvalidRequest("wait_for_upload_s must be a non-negative whole number of seconds");
            }
            waitForUpload = Duration.ofSeconds(wait.intValue());
        }
        return new StageBody(url.textValue(), strings(body, "artifacts"), strings(body, "files"), bool(body, "wait"),
                bool(body, "clean"), waitForUpload);
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode list = body.get(field);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new InvalidRequest(field + " must be a list of strings");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : list) {
            if (!item.isTextual() || item.textValue().isBlank()) {
                throw new InvalidRequest(field + " must be a list of non-empty strings");
            }
            values.add(item.textValue().strip());
        }
        return values;
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new InvalidRequest(field + " must be true or false");
        }
        return value.booleanValue();
    }
}
