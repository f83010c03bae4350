package dev.stagehand.queue;

import java.util.List;
import java.util.UUID;

/**
 * This node's identity, and which nodes are dead. A single node owns its database alone, so
 * every other node that still holds a RUNNING job is an earlier run of this server: dead.
 */
final class Nodes {
    private final String self;

    Nodes(String self) {
        this.self = self;
    }

    static Nodes singleNode() {
        return new Nodes(UUID.randomUUID().toString());
    }

    String self() {
        return self;
    }

    List<String> deadAmong(List<String> claimants) {
        return claimants.stream().filter(node -> node == null || !node.equals(self)).toList();
    }
}
