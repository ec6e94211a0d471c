package io.polyglot.archiver;

/**
 * A record of {@code events.all} that can never be archived as it is: it goes to {@code events.dlq} for the
 * archiver's group. The cause says what is wrong with it; {@link #reason()} names the kind, for the metric.
 */
final class PoisonRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The kinds of poison record, as the {@code reason} tag of {@code polyglot_dead_letters_total} names them. */
    enum Reason {
        NO_VALUE("no-value"),
        UNDECODABLE("undecodable"),
        UNKNOWN_SCHEMA("unknown-schema"),
        INVALID_PAYLOAD("invalid-payload"),
        INVALID_AGGREGATE_TYPE("invalid-aggregate-type"),
        HEADER_MISMATCH("header-mismatch");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        String tag() {
            return tag;
        }
    }

    private final Reason reason;

    PoisonRecordException(Reason reason, RuntimeException cause) {
        super(reason.tag() + ": " + cause.getMessage(), cause);
        this.reason = reason;
    }

    Reason reason() {
        return reason;
    }
}
