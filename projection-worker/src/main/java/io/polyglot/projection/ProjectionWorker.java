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
import io.polyglot.runtime.catalog.SchemaCatalogUnavailableException;
import io.polyglot.runtime.deadletter.DeadLetterUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The poll loop of the projection worker: reads {@code events.all}, folds each poll into one {@link ReadModelBatch} per
 * group of partitions and hands each to the {@link ReadModelStore}, which commits the read-model changes and the next
 * offsets of the batch in one transaction. The stored offsets are the truth: on assignment the loop seeks to them, and
 * when a batch is fenced (another instance moved an offset) it seeks to them again. Offsets are also committed to Kafka
 * afterwards, only so that Kafka's own tools show the group's progress.
 *
 * <p>A poll is folded into one batch per group of partitions ({@link #APPLY_GROUPS} groups, by partition number), and
 * the groups' batches are applied side by side, each in its own transaction on a thread of its own, while the loop
 * polls and folds the next poll: the worker's decoding overlaps PostgreSQL's work, and PostgreSQL writes with as many
 * connections as there are groups. Two groups never share a partition, so their transactions never share an offset
 * row or a row of an aggregate, just as two instances owning those partitions would not. The loop takes the outcome of
 * every batch in the database before it hands over the next poll's, and a poll folded behind a batch that was not
 * taken is put back and read again. Partition by partition, each batch expects the offset the one before it ends at.
 *
 * <p>When the database is unavailable the loop pauses every partition it owns and keeps polling, so the consumer
 * stays in its group; it retries the waiting batch (and reads the stored offsets of partitions it could not position
 * yet) with growing pauses up to {@code DATABASE_RETRY_MAX_DELAY}, and resumes the partitions once that succeeds.
 * Nothing is skipped or sent elsewhere meanwhile. A record that cannot be decoded is sent to the dead-letter topic,
 * once for the group, before the batch that passes over it commits; while Kafka does not take it, the batch waits the
 * same way.
 *
 * <p>When PostgreSQL refuses a batch for a reason in its rows ({@link ReadModelWriteException}), the loop applies the
 * batch's records one at a time, each in its own transaction with its partition's conditional offset advance, in
 * partition and offset order. A record refused alone is tried {@code PROJECTION_POISON_ATTEMPTS} times in all, a short
 * pause apart, then sent to the dead-letter topic; only once Kafka took it does a transaction move the offset past
 * it. The next poll goes back to whole batches. When {@code PROJECTION_POISON_STREAK} records in a row were dead
 * letters and the next is refused too, the database is at fault, not the records: the loop stops sending dead
 * letters and waits as for an outage until a record applies again.
 *
 * <p>The loop runs on its own thread; {@link #close()} stops it.
 */
public final class ProjectionWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProjectionWorker.class);
    private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(250);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LOG_END_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CATALOG_RETRY_DELAY = Duration.ofSeconds(1);
    private static final Duration REFUSED_RECORD_RETRY_DELAY = Duration.ofMillis(250);

    /** How many batches of one poll, each of its own partitions, are applied side by side. */
    static final int APPLY_GROUPS = 2;

    private final ProjectionConfig config;
    private final ReadModelStore store;
    private final BatchPause pause;
    private final Consumer<byte[], byte[]> consumer;
    private final KafkaClientMetrics kafkaMetrics;
    private final ProjectionDeadLetters deadLetters;
    private final RecordDecoder decoder;
    private final BatchFolder folder = new BatchFolder();
    private final ProjectionMetrics metrics;
    private final Clock clock;
    private final Thread thread;
    private final ExecutorService applying;
    private final CountDownLatch closing = new CountDownLatch(1);

    /** The stored next offset of each owned partition, as this instance last read or wrote it; absent: none stored. */
    private final Map<Integer, Long> storedOffsets = new HashMap<>();

    /** Owned partitions whose stored offsets could not be read yet: paused until they are, then sought to them. */
    private final Set<TopicPartition> unpositioned = new HashSet<>();

    /** The position of each partition right after its last assignment; where it started applying from. */
    private final Map<Integer, Long> positionsAfterAssignment = new ConcurrentHashMap<>();

    private volatile Set<Integer> ownedPartitions = Set.of();
    private volatile boolean joined;
    private volatile boolean databaseAvailable = true;

    /** The SQL state with which the database refuses every record, while the loop waits for it to take one; or null. */
    private volatile String refusingEveryRecord;

    /** Dead letters of refused records sent since a record was last applied. */
    private int deadLetteredInARow;

    /** The waiting batch's records still to apply one at a time, once the batch was refused whole; or null. */
    private OneAtATime oneAtATime;

    private volatile Throwable failure;
    private boolean caughtUp;

    /** A polled batch the database has not taken yet; the partitions stay paused until it has. */
    private Pending pending;

    /** The batches being applied beside the loop, whose outcomes the loop has not taken yet; empty when none are. */
    private final List<InFlight> inFlight = new ArrayList<>();

    private Duration retryDelay = FIRST_RETRY_DELAY;

    /** When the partitions paused because the schemas topic could not be read are resumed; null while none are. */
    private Instant catalogRetryAt;

    private Instant nextAttempt = Instant.MIN;

    private ProjectionWorker(
            ProjectionConfig config, ReadModelStore store, MeterRegistry registry, Clock clock, BatchPause pause) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.pause = pause;
        // A fingerprint this build does not know is looked up in the schemas topic before the record is poison.
        this.decoder = RecordDecoder.withSchemasTopic(config.bootstrapServers(), config.consumerOverrides(), clock);
        this.metrics = new ProjectionMetrics(registry, config.consumerGroup(), folder.projectionNames(), clock);
        this.consumer = new KafkaConsumer<>(KafkaClientConfig.consumer(
                config.bootstrapServers(), config.consumerGroup(), config.consumerOverrides()));
        this.deadLetters = ProjectionDeadLetters.of(config);
        this.kafkaMetrics = new KafkaClientMetrics(consumer);
        kafkaMetrics.bindTo(registry);
        this.thread = new Thread(this::run, "projection-" + config.consumerGroup());
        AtomicInteger appliers = new AtomicInteger();
        this.applying = Executors.newFixedThreadPool(APPLY_GROUPS, task -> {
            Thread applier =
                    new Thread(task, "projection-apply-" + config.consumerGroup() + "-" + appliers.incrementAndGet());
            applier.setDaemon(true);
            return applier;
        });
    }

    /** Starts the poll loop on its own thread. */
    public static ProjectionWorker start(
            ProjectionConfig config, ReadModelStore store, MeterRegistry registry, Clock clock) {
        return start(config, store, registry, clock, BatchPause.NONE);
    }

    /** Starts the poll loop on its own thread, holding each batch where {@code pause} says (tests only). */
    public static ProjectionWorker start(
            ProjectionConfig config, ReadModelStore store, MeterRegistry registry, Clock clock, BatchPause pause) {
        ProjectionWorker worker = new ProjectionWorker(config, store, registry, clock, pause);
        worker.thread.start();
        return worker;
    }

    /**
     * Whether the worker has joined its consumer group and reaches the database: what readiness reports. An instance
     * that got no partitions (more instances than partitions) is ready too.
     */
    public boolean isConsuming() {
        return joined && databaseAvailable && refusingEveryRecord == null && failure == null && thread.isAlive();
    }

    /** Whether the partitions are paused because the database is unavailable, or refuses every record. */
    public boolean isWaitingForTheDatabase() {
        return !databaseAvailable || refusingEveryRecord != null;
    }

    /** The partitions this instance owns now. */
    public Set<Integer> ownedPartitions() {
        return ownedPartitions;
    }

    /** The position of each partition right after it was last assigned to this instance: its stored offset. */
    public Map<Integer, Long> positionsAfterAssignment() {
        return Map.copyOf(positionsAfterAssignment);
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
                resumeAfterCatalogPause();
                // While a batch is being applied, a poll only takes what the consumer holds already: the loop must
                // not sleep through the batch's outcome.
                ConsumerRecords<byte[], byte[]> records =
                        consumer.poll(inFlight.isEmpty() ? config.pollTimeout() : Duration.ZERO);
                if (!inFlight.isEmpty() && (records.isEmpty() || waiting() || catalogRetryAt != null)) {
                    finishInFlight();
                }
                if (waiting() || catalogRetryAt != null) {
                    rewind(records);
                    if (waiting() && !clock.instant().isBefore(nextAttempt)) {
                        settle();
                    }
                } else if (!records.isEmpty()) {
                    foldAndSettle(records);
                }
                reportLag();
            }
        } catch (WakeupException e) {
            if (closing.getCount() > 0) {
                failure = e;
                log.error("Projection interrupted without being closed", e);
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            log.error("Projection stopped", e);
        } finally {
            joined = false;
            finishInFlightBeforeClosing();
            applying.shutdown();
            kafkaMetrics.close();
            consumer.close();
            deadLetters.close();
            log.info("Projection stopped consuming");
            MDC.clear();
        }
    }

    /**
     * Folds and applies a poll's records, unless a record names a schema this build lacks and the schemas topic cannot
     * be read now: that is no reason to call the record poison, so the records are put back and read again shortly.
     */
    private void foldAndSettle(ConsumerRecords<byte[], byte[]> records) {
        List<Pending> folded;
        try {
            folded = databaseAvailable && refusingEveryRecord == null
                    ? foldByGroup(records)
                    : List.of(fold(records, records.partitions()));
        } catch (SchemaCatalogUnavailableException e) {
            finishInFlight();
            log.warn(
                    "Schemas topic unavailable while a record names an unknown schema; partitions {} paused for {}: {}",
                    numbers(consumer.assignment()),
                    CATALOG_RETRY_DELAY,
                    e.getMessage());
            rewind(records);
            catalogRetryAt = clock.instant().plus(CATALOG_RETRY_DELAY);
            return;
        }
        finishInFlight();
        if (waiting()) {
            // The batch before this poll was not taken, so this one expects offsets the database does not hold: it is
            // put back and read again once that batch is settled.
            rewind(records);
            if (!clock.instant().isBefore(nextAttempt)) {
                settle();
            }
            return;
        }
        // Asked again: the batches just finished may have found the database back, or gone.
        if (folded.stream().allMatch(batch -> batch.poison().isEmpty())
                && databaseAvailable
                && refusingEveryRecord == null) {
            folded.forEach(this::applyBeside);
        } else {
            // Dead letters go first and a refusal goes record by record: the loop's own path, one group after the
            // other. Once one waits for the database, the groups after it are put back, to be read again.
            for (Pending batch : folded) {
                if (waiting()) {
                    putBack(batch);
                } else {
                    pending = batch;
                    settle();
                }
            }
        }
    }

    /** The poll's batches, one per group of partitions that has records, in group order. */
    private List<Pending> foldByGroup(ConsumerRecords<byte[], byte[]> records) {
        Map<Integer, List<TopicPartition>> groups = new TreeMap<>();
        for (TopicPartition partition : records.partitions()) {
            groups.computeIfAbsent(partition.partition() % APPLY_GROUPS, group -> new ArrayList<>())
                    .add(partition);
        }
        List<Pending> batches = new ArrayList<>(groups.size());
        for (List<TopicPartition> group : groups.values()) {
            batches.add(fold(records, group));
        }
        return batches;
    }

    /** Hands the batch to an applying thread; the loop takes its outcome in {@link #finishInFlight()}. */
    private void applyBeside(Pending batch) {
        ReadModelBatch folded = batch.folded().batch();
        Map<Integer, Long> nextOffsets = new HashMap<>();
        folded.advances().forEach(advance -> nextOffsets.put(advance.partition(), advance.next()));
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        inFlight.add(new InFlight(
                batch,
                nextOffsets,
                CompletableFuture.supplyAsync(
                        () -> {
                            MDC.setContextMap(logContext);
                            try {
                                return metrics.timeBatch(() -> store.apply(folded));
                            } finally {
                                MDC.clear();
                            }
                        },
                        applying)));
    }

    /**
     * Waits for the batches being applied beside the loop and records each outcome, in group order, as if the loop had
     * applied them one after the other: a committed batch moves its stored offsets, a fenced one sends its partitions
     * back to them. The first batch the database did not take becomes the waiting batch, as it would have on the
     * loop's own thread (an outage pauses the partitions until the next attempt, a refusal of the whole batch goes on
     * one record at a time); any later one that was not taken either is put back, to be read again.
     */
    private void finishInFlight() {
        if (inFlight.isEmpty()) {
            return;
        }
        List<InFlight> batches = List.copyOf(inFlight);
        inFlight.clear();
        RuntimeException unexpected = null;
        boolean answered = false;
        for (InFlight batch : batches) {
            BatchOutcome outcome;
            try {
                outcome = batch.outcome().join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                if (!(cause instanceof ReadModelWriteException || cause instanceof ReadModelUnavailableException)) {
                    putBack(batch.pending());
                    RuntimeException failed = cause instanceof RuntimeException runtime ? runtime : e;
                    if (unexpected == null) {
                        unexpected = failed;
                    } else {
                        unexpected.addSuppressed(failed);
                    }
                } else if (pending != null) {
                    putBack(batch.pending());
                } else if (cause instanceof ReadModelWriteException refused) {
                    pending = batch.pending();
                    refusedWhole(batch.pending(), refused);
                } else {
                    pending = batch.pending();
                    unavailable((ReadModelUnavailableException) cause);
                }
                continue;
            }
            answered = true;
            if (outcome instanceof Fenced fenced) {
                // Only this batch is dropped: a batch of other partitions may be waiting already.
                dropFenced(batch.pending(), fenced);
            } else {
                completed(batch.pending(), outcome);
            }
        }
        if (answered && pending == null) {
            // Not while a batch of another group waits for the database: that one decides.
            databaseAnswered();
        }
        if (unexpected != null) {
            throw unexpected;
        }
    }

    /** Seeks a batch's partitions back to its first records, which were not applied: they are read again. */
    private void putBack(Pending batch) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (Read read : batch.reads()) {
            first.merge(
                    new TopicPartition(read.record().topic(), read.record().partition()),
                    read.record().offset(),
                    Math::min);
        }
        first.forEach((partition, offset) -> {
            if (consumer.assignment().contains(partition)) {
                consumer.seek(partition, offset);
            }
        });
    }

    /** Lets the batch in the database finish before the consumer closes; its outcome only matters to the log now. */
    private void finishInFlightBeforeClosing() {
        try {
            finishInFlight();
        } catch (RuntimeException | Error e) {
            log.warn("The batch applied when the projection stopped failed", e);
        }
    }

    private void resumeAfterCatalogPause() {
        if (catalogRetryAt != null && !clock.instant().isBefore(catalogRetryAt)) {
            catalogRetryAt = null;
            if (!waiting()) {
                consumer.resume(consumer.assignment());
            }
        }
    }

    /** Whether a batch or a partition's position waits for the database. */
    private boolean waiting() {
        return pending != null || !unpositioned.isEmpty();
    }

    /**
     * Positions the partitions that wait for their stored offsets and applies the waiting batch, until nothing waits;
     * when the database is unavailable, pauses every owned partition and schedules the next attempt instead.
     */
    private void settle() {
        try {
            while (waiting()) {
                if (!unpositioned.isEmpty()) {
                    List<TopicPartition> toPosition = List.copyOf(unpositioned);
                    seekToStoredOffsets(toPosition);
                    unpositioned.removeAll(toPosition);
                } else if (!applyPending()) {
                    databaseAnswered();
                    consumer.pause(consumer.assignment());
                    return;
                }
            }
            databaseAnswered();
            consumer.resume(consumer.assignment());
            retryDelay = FIRST_RETRY_DELAY;
        } catch (ReadModelUnavailableException | DeadLetterUnavailableException e) {
            unavailable(e);
        }
    }

    /** Pauses every owned partition until the next attempt, because the database or the dead-letter topic is down. */
    private void unavailable(RuntimeException e) {
        String what = e instanceof DeadLetterUnavailableException ? "Dead-letter topic" : "Read model database";
        if (databaseAvailable) {
            log.warn(
                    "{} unavailable; partitions {} paused until it answers: {}",
                    what,
                    numbers(consumer.assignment()),
                    e.getMessage());
        } else {
            log.info("{} still unavailable, next attempt in {}: {}", what, retryDelay, e.getMessage());
        }
        databaseAvailable = false;
        consumer.pause(consumer.assignment());
        scheduleRetry();
    }

    private void databaseAnswered() {
        if (!databaseAvailable) {
            log.info("Read model database is available again");
            databaseAvailable = true;
        }
    }

    /** Schedules the next attempt after the current pause, and doubles the pause up to its longest. */
    private void scheduleRetry() {
        nextAttempt = clock.instant().plus(retryDelay);
        Duration doubled = retryDelay.multipliedBy(2);
        Duration longest = config.databaseRetryMaxDelay().compareTo(FIRST_RETRY_DELAY) > 0
                ? config.databaseRetryMaxDelay()
                : FIRST_RETRY_DELAY;
        retryDelay = doubled.compareTo(longest) > 0 ? longest : doubled;
    }

    /**
     * Applies the waiting batch: whole, or, once PostgreSQL refused it for a reason in its rows, one record at a time.
     *
     * @return false when it waits before its next attempt, true when nothing of the batch is left to apply
     */
    private boolean applyPending() {
        Pending batch = pending;
        sendDeadLetters(batch);
        if (oneAtATime == null) {
            try {
                BatchOutcome outcome =
                        metrics.timeBatch(() -> store.apply(batch.folded().batch()));
                pending = null;
                completed(batch, outcome);
                return true;
            } catch (ReadModelWriteException e) {
                refusedWhole(batch, e);
            }
        }
        return applyOneAtATime(batch);
    }

    private void refusedWhole(Pending batch, ReadModelWriteException e) {
        log.warn(
                "Batch of {} records refused by the read model database, SQL state {}; applying them one at a time",
                batch.reads().size(),
                e.sqlState());
        oneAtATime = new OneAtATime(steps(batch));
    }

    /**
     * Applies the refused batch's records one at a time, each in its own transaction with its partition's offset
     * advance, from where the last call left off: the stored offsets say what is applied, so an outage or a fence in
     * the middle leaves nothing applied twice. A record refused {@code PROJECTION_POISON_ATTEMPTS} times is sent to the
     * dead letters, and only then passed over by an advance of its own.
     *
     * @return false when it waits before its next attempt, true when the batch is done or was fenced
     */
    private boolean applyOneAtATime(Pending batch) {
        OneAtATime rest = oneAtATime;
        while (!rest.steps().isEmpty()) {
            Step step = rest.steps().peekFirst();
            if (!rest.givenUp) {
                try {
                    ReadModelBatch single = single(step, true);
                    if (store.apply(single) instanceof Fenced fenced) {
                        fenced(batch, fenced);
                        return true;
                    }
                    appliedAlone(step, single);
                    rest.next();
                    continue;
                } catch (ReadModelWriteException e) {
                    rest.attempts++;
                    rest.refusal = e;
                    if (refusingEveryRecord != null) {
                        waitUntilTheDatabaseTakesRecords(e);
                        return false;
                    }
                    if (rest.attempts < config.poisonAttempts()) {
                        nextAttempt = clock.instant().plus(REFUSED_RECORD_RETRY_DELAY);
                        return false;
                    }
                    if (deadLetteredInARow >= config.poisonStreak()) {
                        waitUntilTheDatabaseTakesRecords(e);
                        return false;
                    }
                    rest.givenUp = true;
                }
            }
            if (deadLetters.sendRefused(step.record(), rest.refusal, rest.attempts)) {
                metrics.deadLettered(ProjectionMetrics.REFUSED);
            }
            try {
                if (store.apply(single(step, false)) instanceof Fenced fenced) {
                    fenced(batch, fenced);
                    return true;
                }
            } catch (ReadModelWriteException e) {
                // Not even the offset advance past the record is taken: nothing a record did.
                waitUntilTheDatabaseTakesRecords(e);
                return false;
            }
            storedOffsets.put(step.partition(), step.next());
            deadLetteredInARow++;
            rest.next();
        }
        pending = null;
        oneAtATime = null;
        batch.skips().forEach(metrics::skipped);
        commitToKafka(batch.kafkaOffsets());
        return true;
    }

    /**
     * The batch of one step: its event, or none to pass over it, and its partition's advance from the stored offset.
     */
    private ReadModelBatch single(Step step, boolean withItsEvent) {
        Long stored = storedOffsets.get(step.partition());
        OptionalLong expected = stored == null ? OptionalLong.empty() : OptionalLong.of(stored);
        List<ProjectedEvent> events = withItsEvent && step.event() != null ? List.of(step.event()) : List.of();
        return folder.fold(
                        config.topic(), events, List.of(new PartitionAdvance(step.partition(), expected, step.next())))
                .batch();
    }

    private void appliedAlone(Step step, ReadModelBatch single) {
        storedOffsets.put(step.partition(), step.next());
        metrics.projected(single.projected());
        metrics.applied(step.partition(), step.record().timestamp());
        if (step.event() != null) {
            recordApplied();
        }
    }

    /** A record was applied: the refusals before it were the records' own. */
    private void recordApplied() {
        deadLetteredInARow = 0;
        if (refusingEveryRecord != null) {
            log.info("Read model database takes records again; resuming partitions {}", numbers(consumer.assignment()));
            refusingEveryRecord = null;
            retryDelay = FIRST_RETRY_DELAY;
        }
    }

    /**
     * The database refuses record after record: its fault, not theirs. No more dead letters; the partitions stay paused
     * and the record is tried again with the pauses of an outage, and readiness is false, until one applies.
     */
    private void waitUntilTheDatabaseTakesRecords(ReadModelWriteException e) {
        if (refusingEveryRecord == null) {
            log.error(
                    "The database refuses every record; a migration or constraint problem? SQL state {} after {} dead"
                            + " letters in a row; no more are sent, partitions {} paused until a record applies again",
                    e.sqlState(),
                    deadLetteredInARow,
                    numbers(consumer.assignment()));
        } else {
            log.info(
                    "Read model database still refuses every record, SQL state {}, next attempt in {}",
                    e.sqlState(),
                    retryDelay);
        }
        refusingEveryRecord = e.sqlState();
        scheduleRetry();
    }

    /**
     * The steps of applying a refused batch one record at a time, in partition and offset order: one per event the
     * whole batch would have applied, its advance passing over the records before it that are skipped, and one last
     * advance past a partition's trailing skipped records. Events left out for version disorder stay left out.
     */
    private static Deque<Step> steps(Pending batch) {
        Set<ProjectedEvent> outOfOrder = new HashSet<>(batch.folded().outOfOrder());
        Map<Integer, List<Read>> byPartition = new TreeMap<>();
        for (Read read : batch.reads()) {
            byPartition
                    .computeIfAbsent(read.record().partition(), p -> new ArrayList<>())
                    .add(read);
        }
        Deque<Step> steps = new ArrayDeque<>();
        byPartition.forEach((partition, reads) -> {
            reads.sort(Comparator.comparingLong(read -> read.record().offset()));
            boolean passedOver = false;
            for (Read read : reads) {
                if (read.event() != null && !outOfOrder.contains(read.event())) {
                    steps.add(new Step(partition, read.record().offset() + 1, read.record(), read.event()));
                    passedOver = false;
                } else {
                    passedOver = true;
                }
            }
            if (passedOver) {
                ConsumerRecord<byte[], byte[]> last =
                        reads.get(reads.size() - 1).record();
                steps.add(new Step(partition, last.offset() + 1, last, null));
            }
        });
        return steps;
    }

    /**
     * Puts back what a poll returned while the loop waits: every owned partition is paused then, so this is only a
     * partition assigned during that poll, and its records are read again once the wait is over.
     */
    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            long first = records.records(partition).get(0).offset();
            // A batch of the same partition put back just before (see putBack) starts earlier still.
            if (consumer.position(partition) > first) {
                consumer.seek(partition, first);
            }
        }
        consumer.pause(consumer.assignment());
    }

    /**
     * Sends the dead letters of the batch's undecodable records before the batch may pass over them; each one sent is
     * taken off, so a retry after a failure sends only the rest.
     */
    private void sendDeadLetters(Pending batch) {
        while (!batch.poison().isEmpty()) {
            Poison poison = batch.poison().get(0);
            if (deadLetters.send(poison.record(), poison.cause())) {
                metrics.deadLettered(ProjectionMetrics.UNDECODABLE);
            }
            batch.poison().remove(0);
        }
    }

    private Pending fold(ConsumerRecords<byte[], byte[]> records, Collection<TopicPartition> partitions) {
        List<ProjectedEvent> events = new ArrayList<>(records.count());
        List<Read> reads = new ArrayList<>(records.count());
        List<SkipReason> skips = new ArrayList<>();
        List<Poison> poison = new ArrayList<>();
        List<PartitionAdvance> advances = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> kafkaOffsets = new HashMap<>();
        Map<Integer, Long> lastTimestamps = new HashMap<>();
        for (TopicPartition partition : partitions) {
            List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(partition);
            for (ConsumerRecord<byte[], byte[]> record : partitionRecords) {
                ProjectedEvent event = decode(record, skips, poison);
                if (event != null) {
                    events.add(event);
                }
                reads.add(new Read(record, event));
            }
            ConsumerRecord<byte[], byte[]> last = partitionRecords.get(partitionRecords.size() - 1);
            long next = last.offset() + 1;
            Long stored = expectedOffset(partition.partition());
            OptionalLong expected = stored == null ? OptionalLong.empty() : OptionalLong.of(stored);
            advances.add(new PartitionAdvance(partition.partition(), expected, next));
            kafkaOffsets.put(partition, new OffsetAndMetadata(next));
            lastTimestamps.put(partition.partition(), last.timestamp());
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
        return new Pending(folded, skips, kafkaOffsets, lastTimestamps, poison, reads);
    }

    /** Where a batch folded now starts: where the batch being applied ends, or else the stored offset. */
    private Long expectedOffset(int partition) {
        for (InFlight batch : inFlight) {
            Long next = batch.nextOffsets().get(partition);
            if (next != null) {
                return next;
            }
        }
        return storedOffsets.get(partition);
    }

    private void completed(Pending batch, BatchOutcome outcome) {
        if (outcome instanceof Applied) {
            pause.reached(BatchPause.Point.AFTER_COMMIT);
            batch.folded()
                    .batch()
                    .advances()
                    .forEach(advance -> storedOffsets.put(advance.partition(), advance.next()));
            metrics.projected(batch.folded().batch().projected());
            batch.skips().forEach(metrics::skipped);
            batch.lastTimestamps().forEach(metrics::applied);
            if (!batch.folded().batch().changesNoRow()) {
                recordApplied();
            }
            commitToKafka(batch.kafkaOffsets());
        } else if (outcome instanceof Fenced fenced) {
            fenced(batch, fenced);
        }
    }

    /**
     * Offsets are committed to Kafka only so that its tools show the group's progress; the database holds the truth.
     */
    private void commitToKafka(Map<TopicPartition, OffsetAndMetadata> offsets) {
        consumer.commitAsync(offsets, (committed, e) -> {
            if (e != null) {
                log.debug("Informational offset commit to Kafka failed: {}", e.toString());
            }
        });
    }

    /** Drops the batch, fenced by another instance, and reads its partitions again from their stored offsets. */
    private void fenced(Pending batch, Fenced fenced) {
        pending = null;
        oneAtATime = null;
        refusingEveryRecord = null;
        dropFenced(batch, fenced);
    }

    /** Counts and logs the fenced batch, and has its partitions read again from their stored offsets. */
    private void dropFenced(Pending batch, Fenced fenced) {
        metrics.fenced();
        log.warn(
                "Batch fenced: the stored offset of partition {} moved since this instance read it, so another"
                        + " instance owns it; nothing was applied and the worker seeks to the stored offsets",
                fenced.partition());
        batch.kafkaOffsets().keySet().stream()
                .filter(consumer.assignment()::contains)
                .forEach(unpositioned::add);
    }

    /**
     * Decodes a record into the event it returns, or returns null and notes in {@code skips} why not (skips count once
     * the batch commits) and in {@code poison} the records that need a dead letter.
     */
    private ProjectedEvent decode(ConsumerRecord<byte[], byte[]> record, List<SkipReason> skips, List<Poison> poison) {
        RecordDecoder.Decoded decoded = decoder.decode(record.partition(), record.offset(), record.value());
        if (decoded instanceof RecordDecoder.Projectable projectable) {
            return projectable.event();
        } else if (decoded instanceof RecordDecoder.Skipped skipped) {
            skips.add(skipped.reason());
            if (skipped.reason() == SkipReason.UNDECODABLE) {
                poison.add(new Poison(record, skipped.cause()));
            } else if (log.isDebugEnabled()) {
                withRecordContext(
                        record.partition(),
                        record.offset(),
                        () -> log.debug(
                                "Record skipped: {} ({})", skipped.reason().tag(), skipped.detail()));
            }
        }
        return null;
    }

    /**
     * Seeks each partition to its stored next offset, or to its start when none is stored, and notes where it stands
     * now; returns the stored offsets.
     *
     * @throws ReadModelUnavailableException when the database cannot be reached; nothing was sought then
     */
    private Map<Integer, Long> seekToStoredOffsets(Collection<TopicPartition> partitions) {
        Map<Integer, Long> stored = store.storedOffsets(config.topic(), numbers(partitions));
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
        for (TopicPartition partition : partitions) {
            positionsAfterAssignment.put(partition.partition(), consumer.position(partition));
        }
        return stored;
    }

    /**
     * Reports the lag of partitions just positioned at their stored offsets: the log end (the last stable offset, as
     * the worker reads committed records only) minus the position, and answers them by partition. A log end that
     * cannot be read leaves the lag to the first fetch.
     */
    private Map<Integer, Long> reportLagFromTheLogEnd(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> ends;
        try {
            ends = consumer.endOffsets(partitions, LOG_END_TIMEOUT);
        } catch (KafkaException e) {
            log.warn("The log end of partitions {} cannot be read yet: {}", numbers(partitions), e.toString());
            return Map.of();
        }
        Map<Integer, Long> lags = new TreeMap<>();
        ends.forEach((partition, end) -> {
            long lag = Math.max(0, end - consumer.position(partition));
            metrics.lag(partition.partition(), lag);
            lags.put(partition.partition(), lag);
        });
        return lags;
    }

    /**
     * Reports, per owned partition, the records not yet applied (the log end minus the next offset to apply, so a
     * batch waiting for the database still counts) and whether the worker has caught up.
     */
    private void reportLag() {
        boolean allCaughtUp = true;
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong lag = unpositioned.contains(partition) ? OptionalLong.empty() : consumer.currentLag(partition);
            if (lag.isPresent()) {
                long position = consumer.position(partition);
                long applied = storedOffsets.getOrDefault(
                        partition.partition(), positionsAfterAssignment.getOrDefault(partition.partition(), position));
                // Offsets between the applied one and the position are records of a batch waiting to be applied, or,
                // when nothing waits, transaction markers and aborted records that hold nothing to apply.
                long records =
                        lag.getAsLong() + (waiting() || !inFlight.isEmpty() ? Math.max(0, position - applied) : 0);
                metrics.lag(partition.partition(), records);
                allCaughtUp &= records == 0;
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

    /**
     * A folded poll waiting for the database, with what to record once it is applied.
     *
     * @param folded the batch and the events left out of it
     * @param skips why records were passed over, counted once the batch commits
     * @param kafkaOffsets the next offsets, committed to Kafka for its tools once the batch commits
     * @param lastTimestamps the record timestamp of each partition's last record in the batch
     * @param poison the undecodable records whose dead letters are not sent yet, in offset order
     * @param reads every record of the poll with its event, null when it has none to apply
     */
    private record Pending(
            BatchFolder.Folded folded,
            List<SkipReason> skips,
            Map<TopicPartition, OffsetAndMetadata> kafkaOffsets,
            Map<Integer, Long> lastTimestamps,
            List<Poison> poison,
            List<Read> reads) {}

    /** A batch handed to the applying thread, the next offset of each of its partitions, and its outcome to come. */
    private record InFlight(Pending pending, Map<Integer, Long> nextOffsets, CompletableFuture<BatchOutcome> outcome) {}

    /** A polled record and its decoded event, null when it has none to apply. */
    private record Read(ConsumerRecord<byte[], byte[]> record, ProjectedEvent event) {}

    /**
     * One transaction of a refused batch applied record by record: the partition's advance to {@code next}, with
     * {@code event} (null for an advance past skipped records only).
     */
    private record Step(int partition, long next, ConsumerRecord<byte[], byte[]> record, ProjectedEvent event) {}

    /** What is left of a refused batch, and the attempts at its first step. */
    private static final class OneAtATime {
        private final Deque<Step> steps;
        private int attempts;
        private ReadModelWriteException refusal;

        /** The first step's attempts are spent: its dead letter, then its advance, are what remain of it. */
        private boolean givenUp;

        OneAtATime(Deque<Step> steps) {
            this.steps = steps;
        }

        Deque<Step> steps() {
            return steps;
        }

        void next() {
            steps.removeFirst();
            attempts = 0;
            refusal = null;
            givenUp = false;
        }
    }

    /** A record that cannot be decoded, and why. */
    private record Poison(ConsumerRecord<byte[], byte[]> record, Throwable cause) {}

    /**
     * Seeks every newly owned partition to its stored offset, or to the start when none is stored; while the database
     * is unavailable, pauses it instead until its stored offset can be read.
     */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            finishInFlight();
            if (partitions.isEmpty()) {
                joined = true;
                if (!waiting() && consumer.assignment().isEmpty()) {
                    // Nothing owned, so nothing waits for the database: an instance without partitions is ready.
                    databaseAvailable = true;
                    retryDelay = FIRST_RETRY_DELAY;
                }
                return;
            }
            deadLetters.onAssigned();
            Set<Integer> owned = new TreeSet<>(ownedPartitions);
            owned.addAll(numbers(partitions));
            ownedPartitions = Set.copyOf(owned);
            caughtUp = false;
            // The partitions' lags are reported before the worker answers ready, and from where it stands: a worker
            // that answered ready with no lag, or with a lag of 0 it had not measured, would tell ./polyglot status
            // nothing, or something false, until its first fetch.
            partitions.forEach(partition -> metrics.track(partition.partition()));
            if (!waiting()) {
                try {
                    Map<Integer, Long> stored = seekToStoredOffsets(partitions);
                    Map<Integer, Long> lags = reportLagFromTheLogEnd(partitions);
                    joined = true;
                    databaseAnswered();
                    log.info(
                            "Partitions assigned: {}, stored next offsets {}, records to apply {}",
                            numbers(partitions),
                            new TreeMap<>(stored),
                            lags);
                    return;
                } catch (ReadModelUnavailableException e) {
                    log.warn(
                            "Stored offsets of partitions {} cannot be read yet: {}",
                            numbers(partitions),
                            e.getMessage());
                    databaseAvailable = false;
                    nextAttempt = clock.instant().plus(retryDelay);
                }
            }
            joined = true;
            unpositioned.addAll(partitions);
            consumer.pause(consumer.assignment());
            log.info("Partitions assigned: {}, paused until their stored offsets can be read", numbers(partitions));
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // The offsets of the batch in the database decide what the partitions kept are read again from.
            finishInFlight();
            for (TopicPartition partition : partitions) {
                storedOffsets.remove(partition.partition());
                positionsAfterAssignment.remove(partition.partition());
                metrics.untrack(partition.partition());
            }
            unpositioned.removeAll(partitions);
            if (pending != null && partitions.stream().anyMatch(pending.kafkaOffsets()::containsKey)) {
                // The batch spans a partition this instance no longer owns: drop it; the partitions it keeps are read
                // again from their stored offsets.
                pending.kafkaOffsets().keySet().stream()
                        .filter(partition -> !partitions.contains(partition))
                        .forEach(unpositioned::add);
                pending = null;
                oneAtATime = null;
                refusingEveryRecord = null;
                if (!waiting() && catalogRetryAt == null) {
                    // What the dropped batch waited for paused every partition; the ones kept have nothing to wait for.
                    consumer.resume(consumer.assignment());
                }
            }
            Set<Integer> owned = new TreeSet<>(ownedPartitions);
            owned.removeAll(numbers(partitions));
            ownedPartitions = Set.copyOf(owned);
            if (!partitions.isEmpty()) {
                log.info("Partitions revoked: {}", numbers(partitions));
            }
        }
    }
}
