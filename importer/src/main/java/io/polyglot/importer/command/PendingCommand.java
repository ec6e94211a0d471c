package io.polyglot.importer.command;

import io.polyglot.importer.log.CaseEvent;

/**
 * A command ready to send: the event it came from, its id and its JSON line (without the line break).
 *
 * @param event the event read from the log
 * @param commandId the deterministic command id
 * @param json the command as UTF-8 JSON
 */
public record PendingCommand(CaseEvent event, String commandId, byte[] json) {

    /** The case (aggregate) this command belongs to. */
    public String caseId() {
        return event.caseId();
    }
}
