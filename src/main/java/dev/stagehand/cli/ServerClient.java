package dev.stagehand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** The JSON API of a running server, for the command-line client. */
final class ServerClient {
    /** The server said no, or could not be reached: the message is for the user as it is. */
    static class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** No answer came (not running, restarting, network): asking again later may work. */
    static final class Unreachable extends Refused {
        Unreachable(String message) {
            super(message);
        }
    }

    private final String base;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private ServerClient(String base) {
        this.base = base;
    }

    /** A client for {@code server}, an http(s) URL with a host (a trailing slash is fine). */
    static ServerClient of(String server) throws Refused {
        String base = server.replaceAll("/+$", "");
        try {
            URI uri = new URI(base);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return new ServerClient(base);
            }
        } catch (URISyntaxException e) {
            // said below
        }
        throw new Refused("--server must be a URL such as " + ServerOption.DEFAULT);
    }

    /** Submits a stage request without waiting; the request with its jobs. */
    JsonNode stage(String archiveUrl, List<String> artifacts, List<String> files) throws Refused {
        ObjectNode body = json.createObjectNode().put("archive_url", archiveUrl).put("wait", false);
        artifacts.forEach(body.putArray("artifacts")::add);
        files.forEach(body.putArray("files")::add);
        return send(HttpRequest.newBuilder(uri("/api/v1/stage")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    JsonNode request(long id) throws Refused {
        return send(HttpRequest.newBuilder(uri("/api/v1/requests/" + id)).GET());
    }

    JsonNode status() throws Refused {
        return send(HttpRequest.newBuilder(uri("/api/v1/status")).GET());
    }

    /** Takes a node out of the ring for new builds; {@code token}: the admin token, or null when the server needs none. */
    JsonNode drain(String nodeId, String token) throws Refused {
        HttpRequest.Builder post = HttpRequest.newBuilder(uri("/api/v1/nodes/" + java.net.URLEncoder.encode(nodeId,
                java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20") + "/drain"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            post.header("Authorization", "Bearer " + token);
        }
        return send(post);
    }

    JsonNode failedJobs(int limit) throws Refused {
        return send(HttpRequest.newBuilder(uri("/api/v1/jobs?state=FAILED&limit=" + limit)).GET());
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private JsonNode send(HttpRequest.Builder request) throws Refused {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Unreachable("cannot connect to " + base + " (is the server running? --server or STAGEHAND_SERVER names it)");
        } catch (IOException e) {
            throw new Unreachable("talking to " + base + " failed: " + (e.getMessage() != null ? e.getMessage() : e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("interrupted");
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (IOException e) {
            throw new Refused(base + " answered " + response.statusCode() + " with something other than JSON; is it a stagehand server?");
        }
        if (response.statusCode() >= 400) {
            throw new Refused(body.path("message").asText("the server answered " + response.statusCode()));
        }
        return body;
    }
}
