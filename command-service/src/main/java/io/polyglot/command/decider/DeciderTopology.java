package io.polyglot.command.decider;

import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The decider as a Kafka Streams topology: {@code commands} (key: aggregate id) through one processor that owns two
 * persistent key-value stores, out to {@code events.all} and {@code commands.decisions}, both keyed by the aggregate
 * id so that each aggregate's events stay in one partition, in order.
 *
 * <ul>
 *   <li>{@value #HEADS_STORE}: per aggregate ({@code aggregateType/aggregateId}, unambiguous because neither may
 *       contain a {@code /}) its version, rule state and last event time, as {@code AggregateHead}.
 *   <li>{@value #DECISIONS_STORE}: per command id its first decision, with the body's hash, as
 *       {@code CommandDecision}; kept for the retention window, then swept.
 * </ul>
 *
 * <p>The command id store lives in the task of the command's aggregate, so a command id is known again when it comes
 * back for the same aggregate, which is what a retry does; the same id sent for another aggregate is decided as a
 * new command, because nothing routes it to the first aggregate's partition.
 */
public final class DeciderTopology {

    public static final String HEADS_STORE = "aggregate-heads";
    public static final String DECISIONS_STORE = "command-decisions";
    static final String SOURCE = "commands";
    static final String DECIDER = "decider";
    static final String EVENTS_SINK = "events";
    static final String DECISIONS_SINK = "decisions";

    private DeciderTopology() {}

    /**
     * The topology.
     *
     * @param decider the decision logic
     * @param retention how long a command id's decision is kept for retries ({@code COMMAND_ID_RETENTION})
     * @param sweepInterval how often, in wall-clock time, expired decisions are deleted
     */
    public static Topology build(Decider decider, EventCodec codec, Duration retention, Duration sweepInterval) {
        Objects.requireNonNull(decider, "decider");
        Topology topology = new Topology();
        topology.addSource(
                SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.COMMANDS);
        topology.addProcessor(DECIDER, () -> new DecisionStep(decider, codec, retention, sweepInterval), SOURCE);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(HEADS_STORE), Serdes.String(), Serdes.ByteArray()),
                DECIDER);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(DECISIONS_STORE), Serdes.String(), Serdes.ByteArray()),
                DECIDER);
        topology.addSink(
                EVENTS_SINK,
                Topics.EVENTS_ALL,
                Serdes.String().serializer(),
                Serdes.ByteArray().serializer(),
                DECIDER);
        topology.addSink(
                DECISIONS_SINK,
                Topics.COMMANDS_DECISIONS,
                Serdes.String().serializer(),
                Serdes.ByteArray().serializer(),
                DECIDER);
        return topology;
    }

    /** The key of an aggregate's head in {@value #HEADS_STORE}. */
    public static String headKey(String aggregateType, String aggregateId) {
        return aggregateType + "/" + aggregateId;
    }
}
