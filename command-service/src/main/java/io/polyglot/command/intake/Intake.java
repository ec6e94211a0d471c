package io.polyglot.command.intake;

import io.polyglot.schemas.avro.EventEnvelope;
import java.util.List;
import java.util.Optional;

/** What {@link CommandIntake} made of one command: the events to produce, or the problem that refused it. */
public sealed interface Intake {

    /** The command's id when it could be read, for the answer; empty when the body did not say one. */
    Optional<String> commandId();

    /** The command type to count the command under: a registered name, or {@code unknown}. */
    String commandType();

    /**
     * A valid command and the envelopes of the events it records, in order, still to be decided.
     *
     * @param expectedVersion the version the client expects the aggregate at; empty when any will do
     * @param bodyHash SHA-256 (lower-case hex) of the command's JSON in canonical form ({@code CanonicalForm}), which
     *     tells a retry from a reused command id
     * @param bodyHashAsSent SHA-256 (lower-case hex) of the command's JSON written compactly with its keys in the
     *     order they were sent: the body hash of the versions before the canonical form, by which the decider knows a
     *     retry of a command one of them decided
     */
    record Accepted(
            String id,
            String commandType,
            String aggregateType,
            String aggregateId,
            Optional<Long> expectedVersion,
            String bodyHash,
            String bodyHashAsSent,
            List<EventEnvelope> events)
            implements Intake {

        public Accepted {
            events = List.copyOf(events);
        }

        @Override
        public Optional<String> commandId() {
            return Optional.of(id);
        }
    }

    /** A refused command; it produces nothing. */
    record Rejected(Optional<String> commandId, String commandType, Problem problem) implements Intake {}
}
