package io.polyglot.projection;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.polyglot.projection.ReadModelStore.Applied;
import io.polyglot.projection.ReadModelStore.BatchOutcome;
import io.polyglot.projection.ReadModelStore.Fenced;
import io.polyglot.projection.domain.BatchFolder;
import io.polyglot.projection.domain.PartitionAdvance;
import io.polyglot.projection.domain.ProjectedEvent;
import io.polyglot.projection.domain.ReadModelBatch;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.EventCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The poll loop of the projection worker: reads {@code events.all}, folds each poll into one {@link ReadModelBatch}
 * and hands it to the {@link ReadModelStore}, which commits the read-model changes and the next offsets in one
 * transaction. The stored offsets are the truth: on assignment the loop seeks to them, and when a batch is fenced
 * (another instance moved an offset) it seeks to them again. Offsets are also committed to Kafka afterwards, only so
 * that Kafka's own tools show the group's progress.
 *
 * <p>The loop runs on its own thread; {@link #close()} stops it.
 */
public final class ProjectionWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProjectionWorker.class);
    private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(250);
    private static final Duration LONGEST_RETRY_DELAY = Duration.ofSeconds(5);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final ProjectionConfig config;
    private final ReadModelStore store;
    private final Consumer<byte[], byte[]> consumer;
    private final KafkaClientMetrics kafkaMetrics;
    private final RecordDecoder decoder = new RecordDecoder(EventCodec.standard());
    private final BatchFolder folder = new BatchFolder();
    private final ProjectionMetrics metrics;
    private final Clock clock;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);

    /** The stored next offset of each owned partition, as this instance last read or wrote it; absent: none stored. */
    private final Map<Integer, Long> storedOffsets = new HashMap<>();

    private volatile Set<Integer> ownedPartitions = Set.of();
    private volatile boolean joined;
    private volatile boolean databaseAvailable = true;
    private volatile Throwable failure;
    private boolean caughtUp;

    private ProjectionWorker(ProjectionConfig config, ReadModelStore store, MeterRegistry registry, Clock clock) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.metrics = new ProjectionMetrics(registry, config.consumerGroup(), folder.projectionNames());
        this.consumer = new KafkaConsumer<>(KafkaClientConfig.consumer(
                config.bootstrapServers(), config.consumerGroup(), config.consumerOverrides()));
        this.kafkaMetrics = new KafkaClientMetrics(consumer);
        kafkaMetrics.bindTo(registry);
        this.thread = new Thread(this::run, "projection-" + config.consumerGroup());
    }

    /** Starts the poll loop on its own thread. */
    public static ProjectionWorker start(
            ProjectionConfig config, ReadModelStore store, MeterRegistry registry, Clock clock) {
        ProjectionWorker worker = new ProjectionWorker(config, store, registry, clock);
        worker.thread.start();
        return worker;
    }

    /**
     * Whether the worker has joined its consumer group and reaches the database: what readiness reports. An instance
     * that got no partitions (more instances than partitions) is ready too.
     */
    public boolean isConsuming() {
        return joined && databaseAvailable && failure == null && thread.isAlive();
    }

    /** The partitions this instance owns now. */
    public Set<Integer> ownedPartitions() {
        return ownedPartitions;
    }

    /** Why the loop stopped on its own, if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Waits until the loop has stopped, by {@link #close()} or by a failure. */
    public void awaitTermination() throws InterruptedException {
        thread.join();
    }

    /** Stops the loop and waits for it to close the consumer. A batch in its transaction is finished first. */
    @Override
    public void close() {
        if (closing.getCount() == 0 && !thread.isAlive()) {
            return;
        }
        closing.countDown();
        consumer.wakeup();
        try {
            thread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        MDC.put("group", config.consumerGroup());
        MDC.put("topic", config.topic());
        try {
            consumer.subscribe(List.of(config.topic()), new Rebalance());
            log.info("Projection started");
            while (closing.getCount() > 0) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(config.pollTimeout());
                if (!records.isEmpty()) {
                    project(records);
                }
                reportLag();
            }
        } catch (WakeupException | ShutdownDuringRetry e) {
            if (closing.getCount() > 0) {
                failure = e;
                log.error("Projection interrupted without being closed", e);
            }
        } catch (RuntimeException | Error e) {
            if (closing.getCount() > 0) {
                failure = e;
                log.error("Projection stopped", e);
            } else {
                log.info("Projection closed while waiting for the database: {}", e.toString());
            }
        } finally {
            joined = false;
            kafkaMetrics.close();
            consumer.close();
            log.info("Projection stopped consuming");
            MDC.clear();
        }
    }

    private void project(ConsumerRecords<byte[], byte[]> records) {
        List<ProjectedEvent> events = new ArrayList<>(records.count());
        List<SkipReason> skips = new ArrayList<>();
        List<PartitionAdvance> advances = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> kafkaOffsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(partition);
            for (ConsumerRecord<byte[], byte[]> record : partitionRecords) {
                decode(record, events, skips);
            }
            long next = partitionRecords.get(partitionRecords.size() - 1).offset() + 1;
            Long stored = storedOffsets.get(partition.partition());
            OptionalLong expected = stored == null ? OptionalLong.empty() : OptionalLong.of(stored);
            advances.add(new PartitionAdvance(partition.partition(), expected, next));
            kafkaOffsets.put(partition, new OffsetAndMetadata(next));
        }

        BatchFolder.Folded folded = folder.fold(config.topic(), events, advances);
        for (ProjectedEvent event : folded.outOfOrder()) {
            skips.add(SkipReason.VERSION_OUT_OF_ORDER);
            withRecordContext(
                    event.partition(),
                    event.offset(),
                    () -> log.warn(
                            "Event skipped: aggregate version {} does not follow its aggregate's previous event",
                            event.aggregateVersion()));
        }

        BatchOutcome outcome = metrics.timeBatch(() -> withDatabaseRetry(() -> store.apply(folded.batch())));
        if (outcome instanceof Applied) {
            advances.forEach(advance -> storedOffsets.put(advance.partition(), advance.next()));
            metrics.projected(folded.batch().projected());
            skips.forEach(metrics::skipped);
            consumer.commitAsync(kafkaOffsets, (offsets, e) -> {
                if (e != null) {
                    log.debug("Informational offset commit to Kafka failed: {}", e.toString());
                }
            });
        } else if (outcome instanceof Fenced fenced) {
            metrics.fenced();
            log.warn(
                    "Batch fenced: the stored offset of partition {} moved since this instance read it, so another"
                            + " instance owns it; nothing was applied and the worker seeks to the stored offsets",
                    fenced.partition());
            List<TopicPartition> owned = records.partitions().stream()
                    .filter(consumer.assignment()::contains)
                    .toList();
            if (!owned.isEmpty()) {
                seekToStoredOffsets(owned);
            }
        }
    }

    /** Decodes a record into {@code events}, or notes in {@code skips} why not; skips count once the batch commits. */
    private void decode(ConsumerRecord<byte[], byte[]> record, List<ProjectedEvent> events, List<SkipReason> skips) {
        RecordDecoder.Decoded decoded = decoder.decode(record.partition(), record.offset(), record.value());
        if (decoded instanceof RecordDecoder.Projectable projectable) {
            events.add(projectable.event());
        } else if (decoded instanceof RecordDecoder.Skipped skipped) {
            skips.add(skipped.reason());
            if (skipped.reason() == SkipReason.UNDECODABLE) {
                // The dead-letter topic is a later issue; until then the record is counted, logged and passed over.
                withRecordContext(
                        record.partition(),
                        record.offset(),
                        () -> log.warn("Record skipped: it cannot be decoded ({})", skipped.detail()));
            } else if (log.isDebugEnabled()) {
                withRecordContext(
                        record.partition(),
                        record.offset(),
                        () -> log.debug(
                                "Record skipped: {} ({})", skipped.reason().tag(), skipped.detail()));
            }
        }
    }

    /** Seeks each partition to its stored next offset, or to its start when none is stored; returns them. */
    private Map<Integer, Long> seekToStoredOffsets(Collection<TopicPartition> partitions) {
        Map<Integer, Long> stored = withDatabaseRetry(() -> store.storedOffsets(config.topic(), numbers(partitions)));
        List<TopicPartition> fromTheStart = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            Long next = stored.get(partition.partition());
            if (next == null) {
                storedOffsets.remove(partition.partition());
                fromTheStart.add(partition);
            } else {
                storedOffsets.put(partition.partition(), next);
                consumer.seek(partition, next);
            }
        }
        if (!fromTheStart.isEmpty()) {
            consumer.seekToBeginning(fromTheStart);
        }
        return stored;
    }

    private void reportLag() {
        boolean allCaughtUp = true;
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(partition);
            if (lag.isPresent()) {
                metrics.lag(partition.partition(), lag.getAsLong());
                allCaughtUp &= lag.getAsLong() == 0;
            } else {
                allCaughtUp = false;
            }
        }
        if (allCaughtUp && !caughtUp && !consumer.assignment().isEmpty()) {
            log.info(
                    "Projection caught up with {} partitions",
                    consumer.assignment().size());
        }
        caughtUp = allCaughtUp;
    }

    /**
     * Runs a database call, retrying it while the database is unavailable, with growing pauses, until {@code
     * DATABASE_RETRY_TIMEOUT} has passed; readiness reports false meanwhile.
     */
    private <T> T withDatabaseRetry(Supplier<T> call) {
        Instant deadline = clock.instant().plus(config.databaseRetryTimeout());
        Duration delay = FIRST_RETRY_DELAY;
        while (true) {
            try {
                T result = call.get();
                if (!databaseAvailable) {
                    log.info("Read model database is available again");
                }
                databaseAvailable = true;
                return result;
            } catch (ReadModelUnavailableException e) {
                databaseAvailable = false;
                if (!clock.instant().isBefore(deadline)) {
                    throw e;
                }
                log.warn("Read model database unavailable, retrying in {}: {}", delay, e.getMessage());
                pause(delay);
                delay = delay.multipliedBy(2).compareTo(LONGEST_RETRY_DELAY) > 0
                        ? LONGEST_RETRY_DELAY
                        : delay.multipliedBy(2);
            }
        }
    }

    private void pause(Duration delay) {
        try {
            if (closing.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ShutdownDuringRetry();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShutdownDuringRetry();
        }
    }

    private static List<Integer> numbers(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::partition).sorted().toList();
    }

    private static void withRecordContext(int partition, long offset, Runnable logging) {
        MDC.put("partition", Integer.toString(partition));
        MDC.put("offset", Long.toString(offset));
        try {
            logging.run();
        } finally {
            MDC.remove("partition");
            MDC.remove("offset");
        }
    }

    /** Seeks every newly owned partition to its stored offset, or to the start when none is stored. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            joined = true;
            if (partitions.isEmpty()) {
                return;
            }
            partitions.forEach(partition -> metrics.track(partition.partition()));
            Map<Integer, Long> stored = seekToStoredOffsets(partitions);
            Set<Integer> owned = new TreeSet<>(ownedPartitions);
            owned.addAll(numbers(partitions));
            ownedPartitions = Set.copyOf(owned);
            caughtUp = false;
            log.info("Partitions assigned: {}, stored next offsets {}", numbers(partitions), new TreeMap<>(stored));
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                storedOffsets.remove(partition.partition());
                metrics.untrack(partition.partition());
            }
            Set<Integer> owned = new TreeSet<>(ownedPartitions);
            owned.removeAll(numbers(partitions));
            ownedPartitions = Set.copyOf(owned);
            if (!partitions.isEmpty()) {
                log.info("Partitions revoked: {}", numbers(partitions));
            }
        }
    }

    /** Ends the loop when {@link #close()} is called while a database call waits to be retried. */
    private static final class ShutdownDuringRetry extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ShutdownDuringRetry() {
            super("closed while waiting for the database", null, false, false);
        }
    }
}
