package io.polyglot.command.intake;

import java.util.List;

/**
 * One kind of command the service understands: it reads and validates its own payload and says which events the
 * command records. Implementations are stateless and know nothing of HTTP or Kafka, so the decider can call the
 * same ones later.
 */
public interface CommandType {

    /** The value of the command's {@code type} field, e.g. {@code RecordActivity}. */
    String name();

    /**
     * Validates the payload and returns the events it becomes, in order. Every problem is recorded through
     * {@code payload}; when there is one the returned list is not used.
     */
    List<EventDraft> events(JsonFields payload);
}
