package dev.stagehand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stagehand drain NODE}: the node takes no new builds (hashed placement); its running jobs finish. */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = "Take a node out of the ring for new builds: its running jobs finish, and what it holds stays readable until it stops.")
final class DrainCommand implements Callable<Integer> {
    @Mixin ServerOption server;

    @Parameters(index = "0", paramLabel = "NODE", description = "The node's id, as /api/v1/nodes and the status page show it.")
    String node;

    @Option(names = "--admin-token-file", description = "File holding the server's admin token, if it needs one.")
    Path adminTokenFile;

    @Override
    public Integer call() {
        try {
            String token = adminTokenFile == null ? null : Files.readString(adminTokenFile).strip();
            JsonNode drained = server.client().drain(node, token);
            System.out.printf("node %s is %s (%s)%n", drained.path("id").asText(), drained.path("state").asText(),
                    drained.path("advertise_url").asText("no advertise URL"));
            return ExitCodes.OK;
        } catch (IOException e) {
            System.err.println("drain: cannot read --admin-token-file: " + e.getMessage());
            return ExitCodes.REFUSED;
        } catch (ServerClient.Refused e) {
            System.err.println("drain: " + e.getMessage());
            return ExitCodes.REFUSED;
        }
    }
}
