package dev.stagehand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Asks a server to stage artifacts of a build and shows each job's progress until the request
 * has its outcome (its required jobs ended). Exit 0 when staged, 1 when staging failed (the
 * server's reason on stderr), 2 when the server refused the request or could not be reached.
 */
@Command(name = "stage", mixinStandardHelpOptions = true,
        description = "Ask a stagehand server to stage artifacts of a build, with a progress bar per job.")
final class StageCommand implements Callable<Integer> {
    static final int FAILED = 1;
    static final int REFUSED = 2;
    private static final long POLL_MS = 500;

    @Mixin ServerOption server;

    @Parameters(index = "0", paramLabel = "ARCHIVE_URL", description = "The build, e.g. gs://chromeos-image-archive/eve-release/R78-12499.0.0")
    String archiveUrl;

    @Parameters(index = "1..*", paramLabel = "ARTIFACT", arity = "0..*", description = "Artifacts to stage, e.g. full_payload stateful")
    List<String> artifacts = new ArrayList<>();

    @Option(names = "--files", split = ",", paramLabel = "FILE", description = "Files of the build to stage as they are, comma separated.")
    List<String> files = new ArrayList<>();

    @Option(names = "--async", description = "Return once the server has accepted the request.")
    boolean async;

    @Override
    public Integer call() throws InterruptedException {
        ServerClient client = server.client();
        try {
            JsonNode request = client.stage(archiveUrl, artifacts, files);
            long id = request.path("id").asLong();
            if (async) {
                System.out.println("request " + id + " accepted: " + request.path("jobs").size() + " job(s)");
                return 0;
            }
            try (JobProgress progress = JobProgress.on(System.out, System.console() != null)) {
                progress.show(request.path("jobs"));
                while (request.path("outcome").asText().equals("PENDING")) {
                    Thread.sleep(POLL_MS);
                    request = client.request(id);
                    progress.show(request.path("jobs"));
                }
            }
            return report(request);
        } catch (ServerClient.Refused e) {
            System.err.println("stage: " + e.getMessage());
            return REFUSED;
        }
    }

    private static int report(JsonNode request) {
        if (request.path("outcome").asText().equals("SUCCEEDED")) {
            System.out.println("staged " + request.path("archive_url").asText());
            return 0;
        }
        for (JsonNode job : request.path("jobs")) {
            String state = job.path("state").asText();
            if (job.path("required").asBoolean() && (state.equals("FAILED") || state.equals("CANCELLED"))) {
                System.err.println("stage: " + job.path("artifact").asText() + " " + state.toLowerCase() + ": "
                        + job.path("error").asText("no reason given"));
            }
        }
        return FAILED;
    }
}
