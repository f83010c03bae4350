package dev.stagehand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The queue of a server as a table: running jobs with their progress, then what waits; or the failed jobs. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a stagehand server's queue.")
final class StatusCommand implements Callable<Integer> {
    @Mixin ServerOption server;

    @Option(names = "--failed", description = "List failed jobs, newest first, with their errors.")
    boolean failed;

    @Override
    public Integer call() {
        ServerClient client = server.client();
        try {
            if (failed) {
                TextTable table = new TextTable(List.of("job", "build", "artifact", "ended", "attempts", "error"));
                for (JsonNode job : client.failedJobs(50)) {
                    table.add(List.of(job.path("id").asText(), job.path("build_path").asText(), job.path("artifact").asText(),
                            job.path("finished_at").asText(""), job.path("attempts").asText(), job.path("error").asText("")));
                }
                table.print(System.out);
                return 0;
            }
            JsonNode status = client.status();
            JsonNode queue = status.path("queue");
            System.out.printf("node %s: %d running, %d queued, %d waiting to retry, %d waiting for upload, %d failed in 24 h%n",
                    status.path("node").asText(), queue.path("RUNNING").asInt(), queue.path("QUEUED").asInt(),
                    queue.path("RETRY_WAIT").asInt(), queue.path("WAITING_UPLOAD").asInt(), queue.path("FAILED_LAST_24H").asInt());
            TextTable table = new TextTable(List.of("job", "state", "build", "artifact", "progress", "rate", "eta", "node"));
            for (String list : List.of("running", "waiting")) {
                for (JsonNode job : status.path(list)) {
                    table.add(List.of(job.path("id").asText(), job.path("state").asText(), job.path("build_path").asText(),
                            job.path("artifact").asText(), progress(job),
                            job.hasNonNull("bytes_per_second") ? Units.bytes(job.get("bytes_per_second").asLong()) + "/s" : "",
                            job.hasNonNull("eta_seconds") ? job.get("eta_seconds").asText() + " s" : "", job.path("node").asText("")));
                }
            }
            table.print(System.out);
            return 0;
        } catch (ServerClient.Refused e) {
            System.err.println("status: " + e.getMessage());
            return StageCommand.REFUSED;
        }
    }

    private static String progress(JsonNode job) {
        long done = job.path("bytes_done").asLong();
        if (!job.hasNonNull("bytes_total")) {
            return done == 0 ? "" : Units.bytes(done);
        }
        long total = job.get("bytes_total").asLong();
        return Units.bytes(done) + " of " + Units.bytes(total) + (total > 0 ? " (" + (100 * done / total) + "%)" : "");
    }
}
