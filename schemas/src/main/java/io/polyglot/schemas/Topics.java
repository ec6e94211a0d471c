package io.polyglot.schemas;

/** Names of the Kafka topics and record headers that other people's tools see. */
public final class Topics {

    /** Every decided event, keyed by aggregate id. */
    public static final String EVENTS_ALL = "events.all";

    /** Commands waiting for the decider, keyed by aggregate id. */
    public static final String COMMANDS = "commands";

    /** The decider's answers, read by the HTTP layer. */
    public static final String COMMANDS_DECISIONS = "commands.decisions";

    /**
     * Compacted, as many partitions as {@link #COMMANDS}: every command id the decider keeps a decision for (key: the
     * command id), with the aggregate and body hash it was first decided for; a tombstone once its retention is over.
     * Each decider instance reads all of it, so a command id is known for every aggregate, not only in its own.
     */
    public static final String COMMANDS_IDS = "commands.ids";

    /** Records a consumer group could not decode or apply. */
    public static final String EVENTS_DLQ = "events.dlq";

    /** Compacted: schema fingerprint (16 lower-case hex digits) to the schema's JSON. */
    public static final String SCHEMAS = "schemas";

    /** Header naming the aggregate type of an event, so consumers can route without decoding. */
    public static final String HEADER_AGGREGATE_TYPE = "aggregateType";

    /** Header naming the event type of an event. */
    public static final String HEADER_EVENT_TYPE = "eventType";

    private Topics() {}
}
