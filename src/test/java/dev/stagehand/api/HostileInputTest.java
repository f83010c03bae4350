package dev.stagehand.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.db.schema.Tables;
import dev.stagehand.testing.ServerTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A caller's mistake, however hostile, is a 4xx with one plain line: no class names, no SQL, no
 * stack trace, at most ~200 characters of the caller's input echoed; and nothing is queued.
 * Sent as raw bytes, so that requests no polite HTTP client would send reach the server.
 */
@Tag("integration")
class HostileInputTest extends ServerTest {
    static final String URL = "gs://bkt/target/R1-1.0.0";
    static final String LONG = "a".repeat(2100);
    static final Pattern INTERNALS = Pattern.compile(
            "Exception|Error:|\\bat [a-z]+\\.|SQL|select |insert |org\\.|java\\.|dev\\.stagehand|<html|<title", Pattern.CASE_INSENSITIVE);

    /**
     * One hostile request: what to send (the content type may carry one more header line), and a
     * piece of the expected one-line reason (or null).
     */
    record Case(String name, String method, String target, String contentType, String body, String reason) {}

    static List<Case> devserverCases() {
        List<Case> cases = new ArrayList<>();
        for (String rpc : List.of("/stage", "/is_staged", "/download", "/wait_for_status", "/stage_debug", "/stage_images")) {
            String artifacts = rpc.equals("/stage") || rpc.equals("/is_staged") ? "&artifacts=stateful" : "&image_types=test";
            cases.add(get(rpc + " without archive_url", rpc + "?x=1" + artifacts, "missing parameter archive_url"));
            cases.add(get(rpc + " overlong archive_url", rpc + "?archive_url=gs://b/" + LONG + artifacts, "longer than"));
            cases.add(get(rpc + " NUL in archive_url", rpc + "?archive_url=gs://b/t/R1%00x" + artifacts, "control character"));
            cases.add(get(rpc + " newline in archive_url", rpc + "?archive_url=gs://b/t/R1%0AINFO%20forged" + artifacts, "control character"));
            cases.add(get(rpc + " tab in archive_url", rpc + "?archive_url=gs://b/t/R1%09x" + artifacts, "control character"));
            cases.add(get(rpc + " ? in archive_url", rpc + "?archive_url=gs://b/t/R1%3Fx" + artifacts, "'?'"));
            cases.add(get(rpc + " # in archive_url", rpc + "?archive_url=gs://b/t/R1%23x" + artifacts, "'#'"));
            cases.add(get(rpc + " bad UTF-8 in archive_url", rpc + "?archive_url=gs://b/t/R1%FF%FEx" + artifacts, null));
            cases.add(get(rpc + " internal dir", rpc + "?archive_url=gs://any-bucket/.stagehand" + artifacts, ".stagehand"));
            cases.add(get(rpc + " inside internal dir", rpc + "?archive_url=gs://b/x/.stagehand/markers" + artifacts, ".stagehand"));
            cases.add(get(rpc + " file outside roots", rpc + "?archive_url=file:///etc" + artifacts, "outside the allowed"));
        }
        cases.add(get("overlong file name", "/stage?archive_url=" + URL + "&files=" + "f".repeat(2000), "invalid file name"));
        cases.add(get("NUL in files", "/stage?archive_url=" + URL + "&files=a%00b", "invalid file name"));
        cases.add(get("newline in files", "/stage?archive_url=" + URL + "&files=a%0Ab", "invalid file name"));
        cases.add(get("too many file names", "/stage?archive_url=" + URL + "&files=" + "x,".repeat(2100), "in all"));
        cases.add(get("unknown artifact", "/stage?archive_url=" + URL + "&artifacts=" + "z".repeat(500), "unknown artifact"));
        cases.add(get("clean=2", "/stage?archive_url=" + URL + "&artifacts=stateful&clean=2", "clean must be True or False"));
        cases.add(get("negative wait", "/stage?archive_url=" + URL + "&artifacts=stateful&wait_for_upload_s=-1", "non-negative"));
        cases.add(get("fractional wait", "/stage?archive_url=" + URL + "&artifacts=stateful&wait_for_upload_s=1.5", "non-negative"));
        cases.add(new Case("multipart garbage", "POST", "/stage", "multipart/form-data; boundary=xyz", "--garbage\r\n\r\n",
                "form"));
        cases.add(get("latestbuild of the internal dir", "/latestbuild?target=.stagehand", ".stagehand"));
        cases.add(get("latestbuild climbing out", "/latestbuild?target=../..", "relative path"));
        cases.add(get("list_image_dir of the internal dir", "/list_image_dir?archive_url=gs://b/.stagehand", ".stagehand"));
        cases.add(get("controlfiles climbing out", "/controlfiles?build=t/R1&control_path=../../../../etc/passwd", "relative path"));
        cases.add(get("controlfiles of the internal dir", "/controlfiles?build=.stagehand/markers", ".stagehand"));
        return cases;
    }

    static List<Case> jsonCases() {
        List<Case> cases = new ArrayList<>();
        cases.add(json("null body", "null", "JSON object"));
        cases.add(json("a list", "[]", "JSON object"));
        cases.add(json("a string", "\"x\"", "JSON object"));
        cases.add(json("not JSON", "{not json", "not valid JSON"));
        cases.add(json("null artifact", "{\"archive_url\":\"" + URL + "\",\"artifacts\":[null]}", "artifacts must be"));
        cases.add(json("null file", "{\"archive_url\":\"" + URL + "\",\"files\":[null]}", "files must be"));
        cases.add(json("negative wait", "{\"archive_url\":\"" + URL + "\",\"artifacts\":[\"stateful\"],\"wait_for_upload_s\":-1}", "wait_for_upload_s"));
        cases.add(json("fractional wait", "{\"archive_url\":\"" + URL + "\",\"artifacts\":[\"stateful\"],\"wait_for_upload_s\":1.5}", "wait_for_upload_s"));
        cases.add(json("clean 2", "{\"archive_url\":\"" + URL + "\",\"artifacts\":[\"stateful\"],\"clean\":2}", "clean must be"));
        cases.add(json("url as number", "{\"archive_url\":5,\"artifacts\":[\"stateful\"]}", "archive_url must be a string"));
        cases.add(json("unknown field", "{\"archive_url\":\"" + URL + "\",\"artifact\":[\"stateful\"]}", "unknown field"));
        cases.add(json("overlong url", "{\"archive_url\":\"gs://b/" + LONG + "\",\"artifacts\":[\"stateful\"]}", "longer than"));
        cases.add(json("newline in url", "{\"archive_url\":\"gs://b/t/R1\\nx\",\"artifacts\":[\"stateful\"]}", "control character"));
        cases.add(json("overlong file", "{\"archive_url\":\"" + URL + "\",\"files\":[\"" + "f".repeat(2000) + "\"]}", "invalid file name"));
        cases.add(new Case("job id not a number", "GET", "/api/v1/jobs/" + "9".repeat(300), null, null, "id must be a number"));
        cases.add(new Case("unknown state", "GET", "/api/v1/jobs?state=" + "x".repeat(300), null, null, "unknown state"));
        cases.add(new Case("huge body", "POST", "/api/v1/stage", "application/json", "{\"a\":\"" + "x".repeat(100_000) + "\"}",
                "larger than"));
        return cases;
    }

    static List<Case> jettyCases() {
        return List.of(
                get("URI too long", "/stage?archive_url=" + "x".repeat(20_000), null),
                new Case("bad percent escape", "GET", "/stage?archive_url=%zz", null, null, null),
                new Case("ambiguous path", "GET", "/static/%2e%2e/%2e%2e/etc/passwd", null, null, null),
                new Case("header too large", "GET", "/check_health", "text/plain\r\nX-Big: " + "h".repeat(40_000), null, null));
    }

    private static Case get(String name, String target, String reason) {
        return new Case(name, "GET", target, null, null, reason);
    }

    private static Case json(String name, String body, String reason) {
        return new Case(name, "POST", "/api/v1/stage", "application/json", body, reason);
    }

    @Test
    void everyHostileInputIsAOneLine4xxAndQueuesNothing() throws Exception {
        List<String> problems = new ArrayList<>();
        List<Case> all = new ArrayList<>(devserverCases());
        all.addAll(jsonCases());
        all.addAll(jettyCases());
        for (Case c : all) {
            Response r = send(c);
            String why = check(c, r);
            if (why != null) {
                problems.add(c.name() + ": " + why + " -> " + r.status() + " " + r.body().substring(0, Math.min(300, r.body().length())));
            }
        }
        assertEquals(List.of(), problems);
    }

    @AfterEach
    void nothingWasQueued() {
        var db = server.stagehand.database().dsl();
        assertEquals(0, db.fetchCount(Tables.JOB), "no job");
        assertEquals(0, db.fetchCount(Tables.STAGE_REQUEST), "no request");
    }

    private static String check(Case c, Response r) {
        if (r.status() < 400 || r.status() > 499) {
            return "status " + r.status();
        }
        String body = r.body().strip();
        if (body.contains("\n")) {
            return "more than one line";
        }
        if (INTERNALS.matcher(body).find()) {
            return "internals in the body";
        }
        if (body.length() > 1000 || Pattern.compile("(.)\\1{200}").matcher(body).find()) {
            return "echoes too much (" + body.length() + " characters)";
        }
        if (c.reason() != null && !body.contains(c.reason())) {
            return "reason does not say '" + c.reason() + "'";
        }
        return null;
    }

    record Response(int status, String body) {}

    private Response send(Case c) throws Exception {
        StringBuilder request = new StringBuilder(c.method()).append(' ').append(c.target()).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\nConnection: close\r\n");
        byte[] body = c.body() == null ? new byte[0] : c.body().getBytes(StandardCharsets.UTF_8);
        if (c.contentType() != null) {
            request.append("Content-Type: ").append(c.contentType()).append("\r\n");
        }
        if (c.body() != null) {
            request.append("Content-Length: ").append(body.length).append("\r\n");
        }
        request.append("\r\n");
        try (Socket s = new Socket("127.0.0.1", server.stagehand.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            try {
                out.write(body);
                out.flush();
            } catch (java.io.IOException refusedEarly) {
                // the server answered and closed before taking the whole body (413)
            }
            InputStream in = s.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = raw.indexOf("\r\n\r\n");
            assertTrue(end > 0, c.name() + ": no HTTP response: " + raw);
            int status = Integer.parseInt(raw.substring(9, 12));
            String payload = raw.substring(end + 4);
            if (raw.substring(0, end).toLowerCase().contains("transfer-encoding: chunked")) {
                payload = unchunk(payload);
            }
            assertFalse(payload.isEmpty() && status >= 400, c.name() + ": an error without a reason");
            return new Response(status, payload);
        }
    }

    private static String unchunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int eol = chunked.indexOf("\r\n", i);
            int size = Integer.parseInt(chunked.substring(i, eol).trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }
}
