package io.polyglot.command.decider;

import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The decider as a Kafka Streams topology: {@code commands} (key: aggregate id) through one processor that owns two
 * persistent key-value stores and reads one global store, out to {@code events.all} and {@code commands.decisions},
 * both keyed by the aggregate id so that each aggregate's events stay in one partition, in order, and to
 * {@code commands.ids}, keyed by command id.
 *
 * <ul>
 *   <li>{@value #HEADS_STORE}: per aggregate ({@code aggregateType/aggregateId}, unambiguous because neither may
 *       contain a {@code /}) its version, rule state and last event time, as {@code AggregateHead}.
 *   <li>{@value #DECISIONS_STORE}: per command id its first decision, with the body's hash, as
 *       {@code CommandDecision}; kept for the retention window, then swept.
 *   <li>{@value #IDS_STORE}, global: per command id, from every partition, the aggregate and body hash it was first
 *       decided for ({@link CommandIdClaim}), read from the compacted topic {@code commands.ids}.
 * </ul>
 *
 * <p>A retry comes back for the same aggregate, so its partition's {@value #DECISIONS_STORE} answers it with the first
 * decision. The same id sent for another aggregate lands in another partition, whose task has never seen it: there
 * the global store tells it that the id is taken and the command is refused as {@code COMMAND_ID_REUSED}, producing
 * nothing. The decider claims an id by writing it to {@code commands.ids} in the same exactly-once transaction as the
 * decision it keeps, and gives it up with a tombstone in the transaction of the sweep that deletes that decision, so
 * the global store, once caught up, holds exactly the ids that the partitions keep decisions for.
 *
 * <p>The global store is filled by its own thread from committed records, so an id becomes known there one commit
 * interval ({@code DECIDER_COMMIT_INTERVAL}) plus a fetch after it was decided. Within one instance that gap is
 * closed: its tasks also look at the claims they made that the store has not copied yet ({@link ClaimsInFlight}).
 * The window left: two commands with the same id for two aggregates whose partitions are decided by two different
 * instances, decided within that commit interval and fetch of each other, are both decided as new. That is
 * acceptable because it cannot hurt what the id is for: a retry is always for the same aggregate, so it is always
 * answered from its partition's kept decision and never applied twice; only a client that gives one id to two
 * different commands within about a tenth of a second, for aggregates that two instances of a scaled-out service
 * decide, goes unrefused, and both of its commands are then decided on their merits. Closing it would need every
 * command routed through a partition of its command id before its aggregate's partition: one more topic hop and one
 * more transaction per command.
 */
public final class DeciderTopology {

    public static final String HEADS_STORE = "aggregate-heads";
    public static final String DECISIONS_STORE = "command-decisions";
    public static final String IDS_STORE = "command-ids";
    static final String SOURCE = "commands";
    static final String DECIDER = "decider";
    static final String EVENTS_SINK = "events";
    static final String DECISIONS_SINK = "decisions";
    static final String IDS_SINK = "ids";
    static final String IDS_SOURCE = "command-ids-source";
    static final String IDS_COPY = "command-ids-copy";

    private DeciderTopology() {}

    /**
     * The topology.
     *
     * @param decider the decision logic
     * @param retention how long a command id's decision is kept for retries ({@code COMMAND_ID_RETENTION})
     * @param sweepInterval how often, in wall-clock time, expired decisions are deleted
     * @param uncommitted where the tasks note their store writes until the decision feed sees them committed
     */
    public static Topology build(
            Decider decider,
            EventCodec codec,
            Duration retention,
            Duration sweepInterval,
            UncommittedChanges uncommitted) {
        Objects.requireNonNull(decider, "decider");
        Topology topology = new Topology();
        topology.addSource(
                SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.COMMANDS);
        // One per topology, so per instance: shared by the instance's tasks and its global store's copy.
        ClaimsInFlight inFlight = new ClaimsInFlight();
        topology.addProcessor(
                DECIDER,
                () -> new DecisionStep(decider, codec, retention, sweepInterval, inFlight, uncommitted),
                SOURCE);
        topology.addStateStore(keyValueStore(HEADS_STORE), DECIDER);
        topology.addStateStore(keyValueStore(DECISIONS_STORE), DECIDER);
        addSink(topology, EVENTS_SINK, Topics.EVENTS_ALL);
        addSink(topology, DECISIONS_SINK, Topics.COMMANDS_DECISIONS);
        addSink(topology, IDS_SINK, Topics.COMMANDS_IDS);
        // The topic is the store's changelog already, so the store logs nothing of its own.
        topology.addGlobalStore(
                keyValueStore(IDS_STORE).withLoggingDisabled(),
                IDS_SOURCE,
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                Topics.COMMANDS_IDS,
                IDS_COPY,
                () -> new CommandIdsCopy(inFlight));
        return topology;
    }

    private static StoreBuilder<KeyValueStore<String, byte[]>> keyValueStore(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray());
    }

    /** A sink of the decider keyed by a string, as every topic it writes is. */
    private static void addSink(Topology topology, String name, String topic) {
        topology.addSink(
                name, topic, Serdes.String().serializer(), Serdes.ByteArray().serializer(), DECIDER);
    }

    /** The key of an aggregate's head in {@value #HEADS_STORE}. */
    public static String headKey(String aggregateType, String aggregateId) {
        return aggregateType + "/" + aggregateId;
    }

    /** Keeps the global store equal to {@code commands.ids}: a claim is stored, a tombstone deletes the id. */
    private static final class CommandIdsCopy implements Processor<String, byte[], Void, Void> {

        private final ClaimsInFlight inFlight;
        private KeyValueStore<String, byte[]> ids;

        CommandIdsCopy(ClaimsInFlight inFlight) {
            this.inFlight = inFlight;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            ids = context.getStateStore(IDS_STORE);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.value() == null) {
                ids.delete(record.key());
            } else {
                ids.put(record.key(), record.value());
            }
            inFlight.copied(record.key());
        }
    }
}
