package dev.stagehand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** The JSON API of a running server, for the command-line client. */
final class ServerClient {
    /** The server said no, or could not be reached: the message is for the user as it is. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private final String base;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ServerClient(String server) {
        this.base = server.replaceAll("/+$", "");
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

    JsonNode failedJobs(int limit) throws Refused {
        return send(HttpRequest.newBuilder(uri("/api/v1/jobs?state=FAILED&limit=" + limit)).GET());
    }

    private URI uri(String path) throws Refused {
        try {
            return URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw new Refused("not a server URL: " + base);
        }
    }

    private JsonNode send(HttpRequest.Builder request) throws Refused {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Refused("cannot connect to " + base + " (is the server running? --server or STAGEHAND_SERVER names it)");
        } catch (IOException e) {
            throw new Refused("talking to " + base + " failed: " + e.getMessage());
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
