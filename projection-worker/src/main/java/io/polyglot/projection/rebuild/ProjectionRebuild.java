package io.polyglot.projection.rebuild;

import io.polyglot.projection.ReadModelRebuild;
import io.polyglot.projection.ReadModelStore;
import io.polyglot.projection.RecordDecoder;
import io.polyglot.projection.domain.BatchFolder;
import io.polyglot.projection.domain.ProjectedEvent;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.runtime.deadletter.DeadLetterSource;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Rebuilds the tables behind some views from the start of the log while the live ones keep serving: reads every
 * partition from offset 0 with its own consumer (assigned, no group, nothing committed), folds the events with the
 * worker's own {@link BatchFolder} into copies of the tables, never past the live worker's stored offsets, and finally
 * swaps the copies in, in one transaction that holds the live offsets still and first catches the copies up to
 * exactly them. A swap that finds the views held by readers for longer than its lock timeout rolls back and tries
 * again, after a pause that doubles up to {@value #LONGEST_SWAP_PAUSE_SECONDS} s, until {@code swapMaxWait} has passed
 * since the first try; then the rebuild drops its copies and gives up, the old views serving on. Progress goes to
 * {@code progress}, a line at most every few seconds, and one per try the swap gave up.
 */
public final class ProjectionRebuild {

    /** The copies are caught up without the lock until fewer events than this remain behind the live worker. */
    static final long CLOSE_ENOUGH = 1_000;

    private static final int UNLOCKED_ROUNDS = 5;
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
    private static final String REBUILD_GROUP_SUFFIX = "-rebuild";
    private static final Duration FIRST_SWAP_PAUSE = Duration.ofMillis(500);
    static final long LONGEST_SWAP_PAUSE_SECONDS = 5;

    private final String bootstrapServers;
    private final String topic;
    private final String consumerGroup;
    private final Map<String, Object> consumerOverrides;
    private final ReadModelRebuild database;
    private final Duration swapMaxWait;
    private final PrintStream progress;
    private final Clock clock;
    private final RecordDecoder decoder;
    private final BatchFolder folder = new BatchFolder();
    private final LeftOutRecords leftOut;

    private final Map<TopicPartition, Long> applied = new HashMap<>();
    private Set<DeadLetterSource> leaving = Set.of();
    private volatile long eventsApplied;
    private volatile long recordsLeftOut;
    private volatile String phase = "starting";
    private volatile long offsetsRead;
    private volatile long offsetsTotal;
    private Instant lastProgress = Instant.MIN;

    /**
     * A rebuild that leaves out what {@code leftOut} names: the group's dead letters nobody retried.
     *
     * @param database the read model's side of the rebuild; closed when a run ends
     * @param swapMaxWait how long the swap keeps trying while readers hold the views, from its first try
     */
    public ProjectionRebuild(
            String bootstrapServers,
            String topic,
            String consumerGroup,
            Map<String, Object> consumerOverrides,
            ReadModelRebuild database,
            Duration swapMaxWait,
            LeftOutRecords leftOut,
            PrintStream progress,
            Clock clock) {
        this.leftOut = leftOut;
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.consumerGroup = consumerGroup;
        this.consumerOverrides = Map.copyOf(consumerOverrides);
        this.database = database;
        this.swapMaxWait = swapMaxWait;
        this.progress = progress;
        this.clock = clock;
        this.decoder = RecordDecoder.withSchemasTopic(bootstrapServers, consumerOverrides, clock);
    }

    /**
     * Rebuilds the tables behind {@code views}, all registered views when empty.
     *
     * @throws RebuildRefusedException when a view is unknown, another rebuild runs or the log was truncated
     * @throws SwapGaveUpException when readers held the views for longer than the swap may wait
     */
    public ReadModelRebuild.Swapped run(List<String> views) {
        return run(views, Optional.empty());
    }

    /**
     * Rebuilds the tables behind {@code views} (all when empty) with the dead letter of {@code retried} folded in at
     * its place in the log, and records the retry in the swap's transaction, so the record is applied exactly once.
     *
     * @throws RebuildRefusedException when a view is unknown, another rebuild runs or the log was truncated
     * @throws ReadModelRebuild.AlreadyDecided when that dead letter was retried or skipped already
     * @throws SwapGaveUpException when readers held the views for longer than the swap may wait
     */
    public ReadModelRebuild.Swapped run(List<String> views, Optional<DeadLetterSource> retried) {
        List<String> chosen = views.isEmpty() ? database.views() : List.copyOf(views);
        List<String> unknown =
                chosen.stream().filter(view -> !database.views().contains(view)).toList();
        if (!unknown.isEmpty()) {
            throw new RebuildRefusedException("no view " + String.join(", ", unknown)
                    + " can be rebuilt; the views are " + String.join(", ", database.views()));
        }
        if (!database.tryLock()) {
            throw new RebuildRefusedException("another rebuild of the read model is running (it holds the rebuild"
                    + " lock in PostgreSQL); wait until it has finished");
        }
        try (Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClientConfig.consumer(
                bootstrapServers, consumerGroup + REBUILD_GROUP_SUFFIX, consumerOverrides))) {
            List<TopicPartition> partitions = partitions(consumer);
            requireTheLogFromOffsetZero(consumer, partitions);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            partitions.forEach(partition -> applied.put(partition, 0L));
            database.prepareCopies();
            phase = "copying";
            say("rebuilding " + String.join(", ", chosen) + " from " + partitions.size() + " partitions of " + topic);

            ReadModelStore copies = database.copies();
            for (int round = 0; round < UNLOCKED_ROUNDS; round++) {
                Map<TopicPartition, Long> targets = targets(partitions, database.storedOffsets(topic));
                leaving = leftOutNow(retried);
                catchUp(consumer, copies, targets);
                if (behind(targets(partitions, database.storedOffsets(topic))) < CLOSE_ENOUGH) {
                    break;
                }
            }
            phase = "swapping";
            say("caught up with the live worker; swapping in one transaction");
            ReadModelRebuild.Swapped swapped = swapOnceReadersLetGo(() -> database.swap(
                    topic,
                    chosen,
                    locked -> {
                        leaving = leftOutNow(retried);
                        catchUp(consumer, copies, targets(partitions, locked));
                    },
                    retried));
            say("swapped in " + String.join(", ", swapped.tables()) + " at offsets " + new TreeMap<>(swapped.offsets())
                    + "; rows that differ from the live tables: " + swapped.rowsDiffering() + "; views recreated: "
                    + String.join(", ", swapped.viewsRecreated()) + "; dead letters left out: " + recordsLeftOut);
            phase = "swapped";
            return swapped;
        } finally {
            database.close();
        }
    }

    /**
     * Tries the swap until it is not blocked by readers of the views, pausing between tries so that the queries queued
     * behind a try run; each try may block those queries for its lock timeout at most.
     */
    private ReadModelRebuild.Swapped swapOnceReadersLetGo(Supplier<ReadModelRebuild.Swapped> swap) {
        Instant giveUpAt = clock.instant().plus(swapMaxWait);
        Duration pause = FIRST_SWAP_PAUSE;
        for (int tries = 1; ; tries++) {
            try {
                return swap.get();
            } catch (ReadModelRebuild.SwapBlocked blocked) {
                Instant now = clock.instant();
                String holders = ReadModelRebuild.LockHolder.describe(blocked.holders());
                if (!now.isBefore(giveUpAt)) {
                    database.dropCopies();
                    phase = "gave up";
                    throw new SwapGaveUpException(
                            "the swap could not lock the views it replaces in " + tries + " tries over "
                                    + Duration.between(giveUpAt.minus(swapMaxWait), now)
                                            .toSeconds() + " s (at most "
                                    + swapMaxWait.toSeconds() + " s): " + holders + "; the old views serve on as they"
                                    + " were and the rebuilt copies were dropped; rebuild again once those queries"
                                    + " end, or end them with pg_cancel_backend(pid)",
                            blocked);
                }
                Duration wait =
                        pause.compareTo(Duration.between(now, giveUpAt)) < 0 ? pause : Duration.between(now, giveUpAt);
                phase = "waiting for readers";
                say("swap try " + tries + " waited " + blocked.lockTimeout().toMillis() + " ms for the views it"
                        + " replaces, " + holders + "; rolled back, trying again in " + wait.toMillis()
                        + " ms (giving up at " + giveUpAt + ")");
                pauseFor(wait);
                pause = pause.multipliedBy(2).compareTo(Duration.ofSeconds(LONGEST_SWAP_PAUSE_SECONDS)) < 0
                        ? pause.multipliedBy(2)
                        : Duration.ofSeconds(LONGEST_SWAP_PAUSE_SECONDS);
                phase = "swapping";
            }
        }
    }

    private static void pauseFor(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the rebuild was interrupted while its swap waited for readers", e);
        }
    }

    private Set<DeadLetterSource> leftOutNow(Optional<DeadLetterSource> retried) {
        Set<DeadLetterSource> now = new HashSet<>(leftOut.now());
        retried.ifPresent(now::remove);
        return now;
    }

    private List<TopicPartition> partitions(Consumer<byte[], byte[]> consumer) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            throw new RebuildRefusedException("topic " + topic + " does not exist; nothing to rebuild from");
        }
        return infos.stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                .toList();
    }

    private void requireTheLogFromOffsetZero(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions);
        Map<Integer, Long> truncated = starts.entrySet().stream()
                .filter(start -> start.getValue() > 0)
                .collect(Collectors.toMap(
                        start -> start.getKey().partition(), Map.Entry::getValue, (a, b) -> a, TreeMap::new));
        if (!truncated.isEmpty()) {
            throw new RebuildRefusedException("the log of " + topic + " no longer starts at offset 0 (first offsets"
                    + " still held, by partition: " + truncated + "): the events before them are gone from Kafka, so"
                    + " a rebuild from the log would lose them; rebuilding from the archive is not supported yet");
        }
    }

    private static Map<TopicPartition, Long> targets(List<TopicPartition> partitions, Map<Integer, Long> stored) {
        Map<TopicPartition, Long> targets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            targets.put(partition, stored.getOrDefault(partition.partition(), 0L));
        }
        return targets;
    }

    private long behind(Map<TopicPartition, Long> targets) {
        long behind = 0;
        for (Map.Entry<TopicPartition, Long> target : targets.entrySet()) {
            behind += Math.max(0, target.getValue() - applied.getOrDefault(target.getKey(), 0L));
        }
        return behind;
    }

    /** Applies every event before {@code targets} not applied yet to the copies, and not one after. */
    private void catchUp(Consumer<byte[], byte[]> consumer, ReadModelStore copies, Map<TopicPartition, Long> targets) {
        long total = targets.values().stream().mapToLong(Long::longValue).sum();
        while (true) {
            List<TopicPartition> open = targets.keySet().stream()
                    .filter(partition -> applied.get(partition) < targets.get(partition))
                    .toList();
            if (open.isEmpty()) {
                return;
            }
            consumer.pause(consumer.assignment());
            consumer.resume(open);
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
            List<ProjectedEvent> events = new ArrayList<>(records.count());
            for (TopicPartition partition : records.partitions()) {
                long target = targets.get(partition);
                for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                    if (record.offset() >= target) {
                        consumer.seek(partition, target);
                        break;
                    }
                    if (leaving.contains(new DeadLetterSource(topic, record.partition(), record.offset()))) {
                        applied.put(partition, record.offset() + 1);
                        recordsLeftOut++;
                        continue;
                    }
                    RecordDecoder.Decoded decoded = decoder.decode(record.partition(), record.offset(), record.value());
                    if (decoded instanceof RecordDecoder.Projectable projectable) {
                        events.add(projectable.event());
                    }
                    applied.put(partition, record.offset() + 1);
                }
            }
            for (TopicPartition partition : open) {
                // Offsets without a record (transaction markers, aborted records) still count as read.
                long position = consumer.position(partition);
                applied.put(partition, Math.max(applied.get(partition), Math.min(position, targets.get(partition))));
            }
            if (!events.isEmpty()) {
                copies.apply(folder.fold(topic, events, List.of()).batch());
                eventsApplied += events.size();
            }
            reportProgress(total);
        }
    }

    /**
     * How far the run is, readable from any thread: {@code phase} ({@code starting}, {@code copying}, {@code
     * swapping}, {@code waiting for readers} between tries of a swap that readers held up, {@code swapped}, {@code
     * gave up}), {@code offsetsRead} of {@code offsetsTotal} (the live worker's offsets the copies
     * catch up to), {@code eventsApplied} to the copies and {@code deadLettersLeftOut}.
     */
    public Map<String, Object> progress() {
        Map<String, Object> progress = new java.util.LinkedHashMap<>();
        progress.put("phase", phase);
        progress.put("offsetsRead", offsetsRead);
        progress.put("offsetsTotal", offsetsTotal);
        progress.put("eventsApplied", eventsApplied);
        progress.put("deadLettersLeftOut", recordsLeftOut);
        return progress;
    }

    private void reportProgress(long total) {
        offsetsRead = applied.values().stream().mapToLong(Long::longValue).sum();
        offsetsTotal = total;
        Instant now = clock.instant();
        if (now.isBefore(lastProgress.plus(PROGRESS_EVERY))) {
            return;
        }
        lastProgress = now;
        long read = applied.values().stream().mapToLong(Long::longValue).sum();
        say(String.format(
                "%d of %d offsets read (%d%%), %d events applied to the copies",
                read, total, total == 0 ? 100 : read * 100 / total, eventsApplied));
    }

    private void say(String line) {
        progress.println("rebuild: " + line);
        progress.flush();
    }
}
