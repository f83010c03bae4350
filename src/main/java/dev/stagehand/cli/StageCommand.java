package dev.stagehand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stagehand.db.types.JobState;
import dev.stagehand.db.types.RequestOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Asks a server to stage artifacts of a build and shows each job's progress until the request
 * has its outcome (its required jobs ended). Exit codes: {@link ExitCodes}.
 */
@Command(name = "stage", mixinStandardHelpOptions = true,
        description = "Ask a stagehand server to stage artifacts of a build, with a progress bar per job.")
final class StageCommand implements Callable<Integer> {
    private static final long POLL_MS = 500;
    /** The request is durable: a server restarting meanwhile answers again within this. */
    private static final long UNREACHABLE_FOR_MS = 120_000;

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
        try {
            ServerClient client = server.client();
            JsonNode request = client.stage(archiveUrl, artifacts, files);
            long id = request.path("id").asLong();
            if (async) {
                System.out.println("request " + id + " accepted: " + request.path("jobs").size() + " job(s)");
                return ExitCodes.OK;
            }
            try (JobProgress progress = JobProgress.on(System.out, System.console() != null)) {
                progress.show(request.path("jobs"));
                while (request.path("outcome").asText().equals(RequestOutcome.PENDING.name())) {
                    Thread.sleep(POLL_MS);
                    request = poll(client, id);
                    progress.show(request.path("jobs"));
                }
            }
            return report(request);
        } catch (ServerClient.Refused e) {
            System.err.println("stage: " + e.getMessage());
            return ExitCodes.REFUSED;
        }
    }

    /** The request now; a server that does not answer for a while is asked again, not given up on. */
    private static JsonNode poll(ServerClient client, long id) throws ServerClient.Refused, InterruptedException {
        long giveUp = System.currentTimeMillis() + UNREACHABLE_FOR_MS;
        while (true) {
            try {
                return client.request(id);
            } catch (ServerClient.Unreachable e) {
                if (System.currentTimeMillis() > giveUp) {
                    throw e;
                }
                Thread.sleep(POLL_MS);
            }
        }
    }

    private static int report(JsonNode request) {
        String outcome = request.path("outcome").asText();
        if (outcome.equals(RequestOutcome.SUCCEEDED.name())) {
            System.out.println("staged " + request.path("archive_url").asText());
            return ExitCodes.OK;
        }
        boolean said = false;
        for (JsonNode job : request.path("jobs")) {
            String state = job.path("state").asText();
            if (job.path("required").asBoolean() && !state.equals(JobState.SUCCEEDED.name())) {
                System.err.println("stage: " + job.path("artifact").asText() + " " + state.toLowerCase() + ": "
                        + job.path("error").asText("no reason given"));
                said = true;
            }
        }
        if (!said) { // e.g. a failed job already retried by someone else: the request keeps its outcome
            System.err.println("stage: request " + request.path("id").asText() + " " + outcome.toLowerCase()
                    + " (GET /api/v1/requests/" + request.path("id").asText() + " tells more)");
        }
        return ExitCodes.FAILED;
    }
}
