package io.polyglot.command.kafka;

import io.polyglot.command.avro.AggregateHead;
import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.decider.DeciderRecords;
import io.polyglot.command.decider.DeciderTopology;
import io.polyglot.command.decider.DecisionHeaders;
import io.polyglot.command.decider.UncommittedChanges;
import io.polyglot.command.intake.CommandPosition;
import io.polyglot.command.intake.DecisionBoard;
import io.polyglot.command.intake.DecisionWaiter;
import io.polyglot.runtime.KafkaUnavailableException;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.UndecodableRecordException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decider running in this process (Kafka Streams) and the feed of {@code commands.decisions} that answers the
 * HTTP requests waiting for a decision.
 *
 * <p>The feed reads every partition of {@code commands.decisions} with {@code read_committed} from where the topic
 * ended at start-up, so it sees exactly the decisions the decider committed after this instance could have sent a
 * command. It offers each decision to the requests waiting for its command id and body hash, with the command record
 * its headers name ({@link DecisionHeaders}); each request takes the decision of its own record
 * ({@link DecisionWaiter}).
 *
 * <p>Stored decisions and aggregate heads are read from the decider's local stores (interactive queries), only from
 * the partitions whose tasks are active on this instance; a store that cannot be read for a moment (a rebalance) is
 * a {@link KafkaUnavailableException}, which the API answers 503 with {@code Retry-After}. When several instances
 * run, each advertises its HTTP address as {@code application.server}; {@link #ownerOf} names the instance that owns
 * an aggregate's partition, found from the streams metadata with the same murmur2 of the UTF-8 key that placed its
 * commands.
 *
 * <p>Before it decides anything, the decider restores its global store of command ids from {@code commands.ids}
 * (every id kept by any partition within the retention); how many records that took and how long is logged, because
 * it is what a start waits for.
 */
public final class KafkaDecider implements DecisionBoard, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaDecider.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaStreams streams;
    private final Consumer<byte[], byte[]> decisions;
    /** The requests waiting for a decision, by command id and body hash; each has a waiter of its own. */
    private final Map<Waiting, List<DecisionWaiter>> waiters = new ConcurrentHashMap<>();

    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    /** The decider tasks' writes not committed yet, which reads of the stores look past. */
    private final UncommittedChanges uncommitted;

    private final Thread feed;
    private volatile boolean stopping;

    private final Optional<HostInfo> self;
    private final Optional<DeciderStateDir> stateDir;
    /** How many partitions {@code commands} has, read once at start-up, before the feed's thread owns its consumer. */
    private volatile int commandPartitions;

    private KafkaDecider(
            KafkaStreams streams,
            UncommittedChanges uncommitted,
            Consumer<byte[], byte[]> decisions,
            Optional<HostInfo> self,
            Optional<DeciderStateDir> stateDir) {
        this.streams = streams;
        this.uncommitted = uncommitted;
        this.stateDir = stateDir;
        this.self = self;
        this.decisions = decisions;
        this.feed = new Thread(this::readDecisions, "decision-feed");
        this.feed.setDaemon(true);
        this.streams.setUncaughtExceptionHandler(KafkaDecider::onStreamThreadFailure);
    }

    /**
     * Starts the feed, then the decider, and returns once the decider runs.
     *
     * @throws KafkaUnavailableException when the decider does not reach its running state within {@code timeout}
     */
    public static KafkaDecider start(
            Topology topology,
            UncommittedChanges uncommitted,
            Map<String, Object> streamsProperties,
            Map<String, Object> consumerProperties,
            Duration timeout) {
        Optional<DeciderStateDir> stateDir = stateDir(streamsProperties);
        stateDir.ifPresent(DeciderStateDir::prepareForStart);
        Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties);
        KafkaStreams streams = new KafkaStreams(topology, toProperties(streamsProperties));
        Optional<HostInfo> self = Optional.ofNullable(streamsProperties.get(StreamsConfig.APPLICATION_SERVER_CONFIG))
                .map(Object::toString)
                .map(HostInfo::buildFromEndpoint);
        KafkaDecider decider = new KafkaDecider(streams, uncommitted, consumer, self, stateDir);
        try {
            decider.startFeed(timeout);
            decider.startStreams(timeout);
            return decider;
        } catch (RuntimeException e) {
            decider.close();
            throw e;
        }
    }

    private void startFeed(Duration timeout) {
        List<TopicPartition> partitions = decisions.partitionsFor(Topics.COMMANDS_DECISIONS, timeout).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
        commandPartitions = decisions.partitionsFor(Topics.COMMANDS, timeout).size();
        decisions.assign(partitions);
        decisions.seekToEnd(partitions);
        // Resolving the positions now, before any command is sent, is what makes later decisions visible.
        partitions.forEach(partition -> decisions.position(partition, timeout));
        feed.start();
    }

    private void startStreams(Duration timeout) {
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            log.info("Decider state changed (from={}, to={})", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.setGlobalStateRestoreListener(new RestoreLog());
        streams.start();
        try {
            if (!running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new KafkaUnavailableException("the decider did not start within " + timeout, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while the decider started", e);
        }
    }

    private void readDecisions() {
        try {
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> polled = decisions.poll(POLL);
                // The store writes of these decisions count before a request hears of them, so that a read sent
                // after a decided answer sees what that answer said.
                Map<Integer, Long> committed = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> record : polled) {
                    CommandPosition answered = DecisionHeaders.answered(record.headers());
                    if (answered != null) {
                        committed.merge(answered.partition(), answered.offset(), Math::max);
                    }
                }
                committed.forEach(uncommitted::committedUpTo);
                for (ConsumerRecord<byte[], byte[]> record : polled) {
                    deliver(record);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("The decision feed stopped; requests will answer 202 pending until the service restarts", e);
        }
    }

    private void deliver(ConsumerRecord<byte[], byte[]> record) {
        CommandDecision decision;
        try {
            decision = DeciderRecords.decision(record.value());
        } catch (UndecodableRecordException e) {
            log.warn("Unreadable decision skipped (partition={}, offset={})", record.partition(), record.offset(), e);
            return;
        }
        pending.remove(decision.getCommandId());
        Waiting key = new Waiting(decision.getCommandId(), decision.getBodyHash());
        if (!waiters.containsKey(key)) {
            // No request here waits for it: sent through another instance, answered pending, or not waiting at all.
            return;
        }
        CommandPosition answered = DecisionHeaders.answered(record.headers());
        List<DecisionWaiter> answeredNow = new ArrayList<>(1);
        // The lists are changed only inside the map's atomic operations; the futures are completed outside them, so
        // that what a request does once answered never runs inside the map.
        waiters.computeIfPresent(key, (waitingFor, waiting) -> {
            for (Iterator<DecisionWaiter> each = waiting.iterator(); each.hasNext(); ) {
                DecisionWaiter waiter = each.next();
                if (waiter.takes(decision, answered)) {
                    each.remove();
                    answeredNow.add(waiter);
                }
            }
            return waiting.isEmpty() ? null : waiting;
        });
        answeredNow.forEach(DecisionWaiter::answer);
    }

    /** What a request waits for: the decision of the command with this id and this body. */
    private record Waiting(String commandId, String bodyHash) {}

    /**
     * What a failed stream thread leads to. Left to Kafka Streams, any failure shuts the decider down for good (state
     * {@code ERROR}) and the service stays not ready until restarted; a broker restarted after a crash can fail a
     * commit that way (an {@code EndTxn} answered with an unexpected server error, seen in a recovery test). A
     * failure raised by the Kafka clients is taken as transient: the thread is replaced, its open transaction is
     * aborted and its tasks resume from their last commit, so no command is decided twice. Any other failure (the
     * decider's own code, a record that cannot be read) would recur on the same command, so the decider stops rather
     * than loop, and {@code /health/ready} answers 503 until the service is restarted.
     */
    static StreamThreadExceptionResponse onStreamThreadFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof KafkaException
                    && !(cause instanceof StreamsException)
                    && !(cause instanceof SerializationException)) {
                log.warn("A decider thread failed in a Kafka client; replacing the thread", failure);
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            }
        }
        log.error("A decider thread failed; the decider stops until the service restarts", failure);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    /** Whether the decider runs and the decision feed reads. */
    public boolean isRunning() {
        return streams.state() == KafkaStreams.State.RUNNING && feed.isAlive();
    }

    @Override
    public DecisionWaiter awaitDecision(String commandId, String bodyHash) {
        DecisionWaiter waiter = new DecisionWaiter(commandId, bodyHash);
        // The lists are changed only inside the map's atomic operations, and an emptied one is out of the map.
        waiters.compute(new Waiting(commandId, bodyHash), (key, waiting) -> {
            List<DecisionWaiter> list = waiting == null ? new ArrayList<>(1) : waiting;
            list.add(waiter);
            return list;
        });
        return waiter;
    }

    @Override
    public void stopWaiting(DecisionWaiter waiter) {
        waiters.computeIfPresent(new Waiting(waiter.commandId(), waiter.bodyHash()), (key, waiting) -> {
            waiting.remove(waiter);
            return waiting.isEmpty() ? null : waiting;
        });
    }

    @Override
    public void appended(DecisionWaiter waiter, CommandPosition position) {
        pending.add(waiter.commandId());
        if (waiter.appendedAt(position)) {
            // Its decision was published before Kafka's acknowledgement reached the request.
            pending.remove(waiter.commandId());
            stopWaiting(waiter);
        }
    }

    /**
     * The decision kept for {@code commandId} by a partition this instance decides now; empty when none of them
     * keeps one, because another instance decides the command's aggregate or the id is unknown.
     *
     * @throws KafkaUnavailableException when one of those partitions cannot be read for a moment (a rebalance)
     */
    @Override
    public Optional<CommandDecision> decided(String commandId) {
        // A command id does not say which aggregate it was for, so every partition decided here is looked in.
        for (int partition : readablePartitions()) {
            if (uncommitted.decisionUncommitted(partition, commandId)) {
                // Decided, but its transaction may yet abort and the command be decided again: pending until then.
                return Optional.empty();
            }
            byte[] decision = get(DeciderTopology.DECISIONS_STORE, partition, commandId);
            if (decision != null) {
                return Optional.of(DeciderRecords.decision(decision));
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean isPending(String commandId) {
        return pending.contains(commandId) || uncommitted.decisionUncommitted(commandId);
    }

    /**
     * The head of an aggregate whose partition this instance decides, read from that partition's store alone.
     *
     * @throws KafkaUnavailableException when that partition cannot be read for a moment (a rebalance)
     */
    @Override
    public Optional<AggregateHead> head(String aggregateType, String aggregateId) {
        KeyQueryMetadata owner = owner(aggregateId);
        // Without metadata (never set, or being rebuilt) only the partitions decided here can be looked in.
        List<Integer> partitions =
                owner == KeyQueryMetadata.NOT_AVAILABLE ? activePartitions() : List.of(owner.partition());
        String key = DeciderTopology.headKey(aggregateType, aggregateId);
        for (int partition : partitions) {
            Optional<UncommittedChanges.CommittedHead> committed = uncommitted.committedHead(partition, key);
            byte[] head =
                    committed.isPresent() ? committed.get().value() : get(DeciderTopology.HEADS_STORE, partition, key);
            if (head != null) {
                return Optional.of(DeciderRecords.head(head));
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<URI> ownerOf(String aggregateId) {
        KeyQueryMetadata owner = owner(aggregateId);
        if (owner == KeyQueryMetadata.NOT_AVAILABLE
                || self.isEmpty()
                || owner.activeHost().equals(self.get())) {
            return Optional.empty();
        }
        return Optional.of(uri(owner.activeHost()));
    }

    @Override
    public List<URI> otherInstances() {
        return allMetadata().stream()
                .map(StreamsMetadata::hostInfo)
                .filter(host -> self.isPresent() && !host.equals(self.get()) && host.port() > 0)
                .distinct()
                .map(KafkaDecider::uri)
                .toList();
    }

    @Override
    public boolean everyPartitionAssigned() {
        if (self.isEmpty()) {
            // Without an advertised address the metadata names no instance; this one is taken to be alone.
            return true;
        }
        long assigned = allMetadata().stream()
                .flatMap(instance -> instance.topicPartitions().stream())
                .filter(partition -> partition.topic().equals(Topics.COMMANDS))
                .distinct()
                .count();
        return assigned >= commandPartitions;
    }

    private KeyQueryMetadata owner(String aggregateId) {
        // The commands topic is partitioned by the murmur2 of the UTF-8 aggregate id; so is this lookup.
        return streams.queryMetadataForKey(
                DeciderTopology.HEADS_STORE, aggregateId, Serdes.String().serializer());
    }

    private static URI uri(HostInfo host) {
        return URI.create("http://" + host.host() + ":" + host.port());
    }

    /**
     * The partitions of {@code commands} whose tasks are active on this instance now. Only those stores are read:
     * a standby or warm-up copy (an instance that joined next to one holding the state keeps only warm-up copies
     * until a probing rebalance hands it tasks) may be behind, and an instance without an active task has no store
     * to read at all, which Kafka Streams reports as a store that "may have migrated to another instance".
     */
    private List<Integer> activePartitions() {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            throw new KafkaUnavailableException("the decider is " + state + "; its state is not queryable", null);
        }
        try {
            return streams.metadataForLocalThreads().stream()
                    .flatMap(thread -> thread.activeTasks().stream())
                    .flatMap(task -> task.topicPartitions().stream())
                    .filter(partition -> partition.topic().equals(Topics.COMMANDS))
                    .map(TopicPartition::partition)
                    .sorted()
                    .toList();
        } catch (IllegalStateException e) {
            throw new KafkaUnavailableException("the decider stopped while its state was looked up", e);
        }
    }

    /**
     * The partitions decided here whose stores can be read now. The group may already have given this instance a
     * partition whose task is not active yet (it restores, or its thread is between rebalance steps); the instance
     * then cannot say that it keeps no decision for a command, and neither can the one that gave that partition up.
     *
     * @throws KafkaUnavailableException when a partition given to this instance is not active on it yet
     */
    private List<Integer> readablePartitions() {
        List<Integer> active = activePartitions();
        if (self.isPresent()) {
            List<Integer> missing = allMetadata().stream()
                    .filter(instance -> instance.hostInfo().equals(self.get()))
                    .flatMap(instance -> instance.topicPartitions().stream())
                    .filter(partition -> partition.topic().equals(Topics.COMMANDS))
                    .map(TopicPartition::partition)
                    .filter(partition -> !active.contains(partition))
                    .sorted()
                    .toList();
            if (!missing.isEmpty()) {
                throw new KafkaUnavailableException(
                        "partitions " + missing + " of " + Topics.COMMANDS + " are given to this instance and not"
                                + " active on it yet",
                        null);
            }
        }
        return active;
    }

    private Collection<StreamsMetadata> allMetadata() {
        try {
            return streams.metadataForAllStreamsClients();
        } catch (IllegalStateException e) {
            throw new KafkaUnavailableException("the decider is not running; its metadata is unknown", e);
        }
    }

    /**
     * The value of {@code key} in one partition's active store. Kafka Streams checks the store only when it is read,
     * not when {@link KafkaStreams#store} hands it out, so the read itself is what may find it migrated, closed or
     * its thread rebalancing.
     */
    private byte[] get(String storeName, int partition, String key) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(
                                    storeName, QueryableStoreTypes.<String, byte[]>keyValueStore())
                            .withPartition(partition))
                    .get(key);
        } catch (InvalidStateStoreException e) {
            throw new KafkaUnavailableException(
                    "the decider's state is not queryable right now (store=" + storeName + ", partition=" + partition
                            + "): " + e.getMessage(),
                    e);
        }
    }

    @Override
    public void close() {
        stopping = true;
        decisions.wakeup();
        try {
            feed.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!feed.isAlive()) {
            decisions.close(CLOSE_TIMEOUT);
        }
        if (streams.close(CLOSE_TIMEOUT)) {
            stateDir.ifPresent(DeciderStateDir::markClosedCleanly);
        }
        for (Waiting key : waiters.keySet()) {
            List<DecisionWaiter> waiting = waiters.remove(key);
            if (waiting != null) {
                waiting.forEach(waiter -> waiter.decision().cancel(false));
            }
        }
    }

    /** The decider's state folder, when the properties name one (Kafka Streams' default otherwise, left alone). */
    private static Optional<DeciderStateDir> stateDir(Map<String, Object> streamsProperties) {
        Object dir = streamsProperties.get(StreamsConfig.STATE_DIR_CONFIG);
        Object application = streamsProperties.get(StreamsConfig.APPLICATION_ID_CONFIG);
        if (dir == null || application == null) {
            return Optional.empty();
        }
        return Optional.of(new DeciderStateDir(java.nio.file.Path.of(dir.toString()), application.toString()));
    }

    private static java.util.Properties toProperties(Map<String, Object> map) {
        java.util.Properties properties = new java.util.Properties();
        properties.putAll(map);
        return properties;
    }

    /** Logs each restore of a store partition at start-up, with the records restored and how long it took. */
    private static final class RestoreLog implements StateRestoreListener {

        private final Map<TopicPartition, Long> startedAt = new ConcurrentHashMap<>();

        @Override
        public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
            startedAt.put(partition, System.nanoTime());
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
            // Batches are logged only in total, at the end.
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
            Long started = startedAt.remove(partition);
            long tookMs = started == null ? -1 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            log.info(
                    "Store restored (store={}, partition={}, records={}, tookMs={})",
                    storeName,
                    partition,
                    totalRestored,
                    tookMs);
        }
    }
}
