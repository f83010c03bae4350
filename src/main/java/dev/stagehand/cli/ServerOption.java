package dev.stagehand.cli;

import picocli.CommandLine.Option;

/** {@code --server}, shared by the client commands; STAGEHAND_SERVER gives it too (EnvironmentDefaults). */
final class ServerOption {
    static final String DEFAULT = "http://127.0.0.1:8080";

    @Option(names = "--server", description = "The stagehand server (default: $STAGEHAND_SERVER or " + DEFAULT + ").")
    String server;

    ServerClient client() throws ServerClient.Refused {
        return ServerClient.of(server != null ? server : DEFAULT);
    }
}
