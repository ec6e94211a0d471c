package io.polyglot.importer.command;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic command ids: a name-based UUID of the aggregate type, the case id and the event's position in the
 * case, joined by NUL characters. Nothing about the file (its path, name or time) goes in, so importing the same log
 * again sends the same ids and the command service can tell a resend from a new command.
 */
public final class CommandIds {

    private static final char SEPARATOR = '\0';

    private CommandIds() {}

    /** The id of the command for the event at {@code position} (1-based) of case {@code caseId}. */
    public static String of(String aggregateType, String caseId, int position) {
        String name = aggregateType + SEPARATOR + caseId + SEPARATOR + position;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
