package io.polyglot.importer.command;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The commands of one {@code POST /v1/commands:batch} request, in the order they are sent.
 *
 * @param commands the commands, one NDJSON line each
 */
public record Batch(List<PendingCommand> commands) {

    /** Keeps an unmodifiable copy. */
    public Batch {
        commands = List.copyOf(commands);
    }

    /** The cases this batch holds events of: two batches sharing one must never be in flight together. */
    public Set<String> cases() {
        Set<String> cases = new HashSet<>();
        commands.forEach(command -> cases.add(command.caseId()));
        return cases;
    }

    /** How many commands (lines). */
    public int size() {
        return commands.size();
    }

    /** The request body: each command's JSON followed by a line break. */
    public byte[] body() {
        int length = 0;
        for (PendingCommand command : commands) {
            length += command.json().length + 1;
        }
        byte[] body = new byte[length];
        int at = 0;
        for (PendingCommand command : commands) {
            System.arraycopy(command.json(), 0, body, at, command.json().length);
            at += command.json().length;
            body[at++] = '\n';
        }
        return body;
    }
}
