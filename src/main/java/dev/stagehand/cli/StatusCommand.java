package dev.stagehand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stagehand.db.types.JobState;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The queue of a server as a table: running jobs with their progress, then what waits; or the failed jobs. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a stagehand server's queue.")
final class StatusCommand implements Callable<Integer> {
    private static final int FAILED_SHOWN = 50;

    @Mixin ServerOption server;

    @Option(names = "--failed", description = "List failed jobs, newest first, with their errors.")
    boolean failed;

    @Override
    public Integer call() {
        try {
            ServerClient client = server.client();
            if (failed) {
                printFailed(client.failedJobs(FAILED_SHOWN));
            } else {
                printQueue(client.status());
            }
            return ExitCodes.OK;
        } catch (ServerClient.Refused e) {
            System.err.println("status: " + e.getMessage());
            return ExitCodes.REFUSED;
        }
    }

    private static void printQueue(JsonNode status) {
        JsonNode queue = status.path("queue");
        System.out.printf("node %s: %d running, %d queued, %d waiting to retry, %d waiting for upload, %d failed in 24 h%n",
                status.path("node").asText(), queue.path(JobState.RUNNING.name()).asInt(), queue.path(JobState.QUEUED.name()).asInt(),
                queue.path(JobState.RETRY_WAIT.name()).asInt(), queue.path(JobState.WAITING_UPLOAD.name()).asInt(), queue.path("FAILED_LAST_24H").asInt());
        TextTable table = new TextTable(List.of("job", "state", "build", "artifact", "progress", "rate", "eta", "node"));
        for (String list : List.of("running", "waiting")) {
            for (JsonNode job : status.path(list)) {
                table.add(List.of(job.path("id").asText(), job.path("state").asText(), job.path("build_path").asText(),
                        job.path("artifact").asText(), JobText.progress(job), JobText.rate(job), JobText.eta(job),
                        job.path("node").asText("")));
            }
        }
        table.print(System.out);
    }

    private static void printFailed(JsonNode jobs) {
        TextTable table = new TextTable(List.of("job", "build", "artifact", "ended", "attempts", "error"));
        for (JsonNode job : jobs) {
            table.add(List.of(job.path("id").asText(), job.path("build_path").asText(), job.path("artifact").asText(),
                    job.path("finished_at").asText(""), job.path("attempts").asText(), job.path("error").asText("")));
        }
        table.print(System.out);
    }
}
