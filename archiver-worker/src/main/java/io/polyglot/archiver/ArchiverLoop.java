package io.polyglot.archiver;

import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreException;
import io.polyglot.runtime.KafkaUnavailableException;
import io.polyglot.schemas.avro.EventEnvelope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The poll loop: reads {@code events.all}, hands events to the {@link SegmentBuilder}, sealed segments to the
 * {@link SegmentArchiver}, and commits what the {@link OffsetTracker} allows. It decides nothing itself.
 *
 * <p>Idle segments are sealed on every turn, also when a poll returns nothing, against the injected clock. When
 * partitions are revoked, and on stop, the segments sealed already are uploaded and what is stored is committed;
 * then the open segments of those partitions are sealed and uploaded too, but their offsets are not committed: the
 * next owner (or the next start) reads them again from the committed offset, learns from storage where each chain
 * ends, and skips what is stored. Lost partitions are dropped without a commit or a seal.
 *
 * <p>On assignment the loop asks storage where each chain of the partition ends, so events that are stored already
 * (read again after a crash, from the oldest event that was not stored) are skipped rather than archived twice.
 *
 * <p>A record that can never be archived (see {@link RecordDecoder}) goes to {@code events.dlq} once for the group
 * before the loop moves on; its offset is then accounted for and commits move past it. When Kafka does not take the
 * dead letter, or the schema catalog cannot be read, the loop seeks the partition back to that record, pauses it, and
 * reads it again after a growing pause: nothing after it is committed meanwhile, and there is no hot loop.
 */
final class ArchiverLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ArchiverLoop.class);

    private static final int LAST_UPLOAD_ATTEMPTS = 3;
    private static final Duration COMMITTED_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FIRST_TAILS_RETRY = Duration.ofMillis(500);
    private static final Duration LAST_TAILS_RETRY = Duration.ofSeconds(30);
    private static final Duration FIRST_DEAD_LETTER_RETRY = Duration.ofMillis(500);
    private static final Duration LAST_DEAD_LETTER_RETRY = Duration.ofSeconds(30);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final String group;
    private final SegmentBuilder builder;
    private final SegmentArchiver archiver;
    private final OffsetTracker tracker = new OffsetTracker();
    private final ArchiverMetrics metrics;
    private final Clock clock;
    private final Duration pollTimeout;
    private final IntFunction<Map<String, Long>> storedTails;
    private final long bufferMaxBytes;
    private final Runnable afterStored;
    private final Duration releaseTimeout;
    private final Set<TopicPartition> pausedForBound = new HashSet<>();
    private final Set<TopicPartition> awaitingTails = new LinkedHashSet<>();
    private Instant nextTailsAttemptAt = Instant.MIN;
    private Duration tailsRetryPause = FIRST_TAILS_RETRY;
    private final RecordDecoder decoder;
    private final ArchiverDeadLetters deadLetters;
    private final Set<TopicPartition> awaitingDeadLetterRetry = new HashSet<>();
    private Instant nextDeadLetterAttemptAt = Instant.MIN;
    private Duration deadLetterRetryPause = FIRST_DEAD_LETTER_RETRY;
    private final Map<Integer, Long> positions = new HashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private volatile boolean stopRequested;
    private volatile boolean polling;
    private volatile boolean diverged;

    ArchiverLoop(
            Consumer<byte[], byte[]> consumer,
            String topic,
            String group,
            SegmentBuilder builder,
            SegmentArchiver archiver,
            ArchiverMetrics metrics,
            Clock clock,
            Duration pollTimeout,
            IntFunction<Map<String, Long>> storedTails,
            long bufferMaxBytes,
            Duration releaseTimeout,
            Runnable afterStored,
            RecordDecoder decoder,
            ArchiverDeadLetters deadLetters) {
        this.consumer = consumer;
        this.topic = topic;
        this.group = group;
        this.builder = builder;
        this.archiver = archiver;
        this.metrics = metrics;
        this.clock = clock;
        this.pollTimeout = pollTimeout;
        this.storedTails = storedTails;
        this.bufferMaxBytes = bufferMaxBytes;
        this.afterStored = afterStored;
        this.releaseTimeout = releaseTimeout;
        this.decoder = decoder;
        this.deadLetters = deadLetters;
    }

    @Override
    public void run() {
        MDC.put("group", group);
        MDC.put("topic", topic);
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (!stopRequested) {
                turn();
            }
        } catch (WakeupException e) {
            if (!stopRequested) {
                throw e;
            }
        } finally {
            polling = false;
            try {
                finish();
            } finally {
                MDC.clear();
                stopped.countDown();
            }
        }
    }

    /** Asks the loop to seal, upload, commit and close; returns at once. */
    void stop() {
        stopRequested = true;
        consumer.wakeup();
    }

    /** Waits until the loop has closed the consumer. */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the loop is polling and no chain diverged. */
    boolean healthy() {
        return polling && !diverged;
    }

    private void turn() {
        if (!awaitingTails.isEmpty() && !clock.instant().isBefore(nextTailsAttemptAt)) {
            readStoredTails();
        }
        resumeForDeadLetterRetry();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(pollTimeout)) {
            accept(record);
        }
        trackPositions();
        polling = true;
        builder.sealIdle(clock.instant(), this::readToEnd).forEach(archiver::submit);
        List<SegmentArchiver.Result> results = archiver.uploadPending(clock.instant());
        settle(results);
        if (results.stream().anyMatch(r -> r.outcome() == SegmentArchiver.Outcome.STORED)) {
            afterStored.run();
        }
        commit();
        holdWithinBound();
        reportLag();
        metrics.openEvents(builder.openEvents() + archiver.pendingEvents());
    }

    /**
     * Pauses every assigned partition while the events waiting for storage take at least the buffer bound, and
     * resumes them once they take less: with storage down, reading on would only fill the disk and the heap.
     * Partitions paused because their chain diverged stay paused.
     */
    private void holdWithinBound() {
        long buffered = builder.openBytes() + archiver.pendingBytes();
        metrics.bufferedBytes(buffered);
        if (buffered >= bufferMaxBytes) {
            Set<TopicPartition> toPause = new HashSet<>(consumer.assignment());
            toPause.removeAll(consumer.paused());
            if (!toPause.isEmpty()) {
                consumer.pause(toPause);
                pausedForBound.addAll(toPause);
                log.warn("{} bytes wait for storage, the bound is {}: paused {}", buffered, bufferMaxBytes, toPause);
            }
        } else if (!pausedForBound.isEmpty()) {
            Set<TopicPartition> toResume = new HashSet<>(pausedForBound);
            toResume.retainAll(consumer.assignment());
            toResume.removeAll(awaitingTails);
            toResume.removeAll(awaitingDeadLetterRetry);
            consumer.resume(toResume);
            pausedForBound.clear();
            log.info(
                    "{} bytes wait for storage, below the bound of {}: resumed {}", buffered, bufferMaxBytes, toResume);
        }
        metrics.pausedPartitions(consumer.paused().size());
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (awaitingDeadLetterRetry.contains(partition)) {
            // The partition was sought back to a record whose dead letter failed; what follows is read again.
            return;
        }
        positions.put(record.partition(), record.offset() + 1);
        if (tracker.isBlocked(record.partition())) {
            return;
        }
        MDC.put("partition", Integer.toString(record.partition()));
        MDC.put("offset", Long.toString(record.offset()));
        try {
            EventEnvelope event = decoder.decode(record.value(), record.headers());
            Instant now = clock.instant();
            Instant recordTime = record.timestamp() < 0 ? now : Instant.ofEpochMilli(record.timestamp());
            builder.append(record.partition(), record.offset(), event, recordTime, now)
                    .ifPresent(archiver::submit);
        } catch (PoisonRecordException e) {
            deadLetter(record, partition, e);
        } catch (KafkaUnavailableException e) {
            readAgainLater(record, partition, e);
        } finally {
            MDC.remove("partition");
            MDC.remove("offset");
        }
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, TopicPartition partition, PoisonRecordException e) {
        try {
            deadLetters.send(record, e);
            deadLetterRetryPause = FIRST_DEAD_LETTER_RETRY;
        } catch (KafkaUnavailableException unavailable) {
            metrics.deadLetterFailure();
            readAgainLater(record, partition, unavailable);
        }
    }

    /**
     * Seeks {@code partition} back to {@code record} and pauses it until the next dead-letter attempt: the record is
     * not accounted for, so neither it nor anything after it may be committed, and the records after it in this
     * poll are skipped, to be read again.
     */
    private void readAgainLater(ConsumerRecord<byte[], byte[]> record, TopicPartition partition, RuntimeException e) {
        consumer.seek(partition, record.offset());
        consumer.pause(List.of(partition));
        positions.put(record.partition(), record.offset());
        awaitingDeadLetterRetry.add(partition);
        nextDeadLetterAttemptAt = clock.instant().plus(deadLetterRetryPause);
        log.warn(
                "Record {}-{}@{} is not accounted for yet, read again in {}: {}",
                record.topic(),
                record.partition(),
                record.offset(),
                deadLetterRetryPause,
                e.getMessage());
        deadLetterRetryPause = Collections.min(List.of(deadLetterRetryPause.multipliedBy(2), LAST_DEAD_LETTER_RETRY));
    }

    private void resumeForDeadLetterRetry() {
        if (awaitingDeadLetterRetry.isEmpty() || clock.instant().isBefore(nextDeadLetterAttemptAt)) {
            return;
        }
        Set<TopicPartition> toResume = new HashSet<>(awaitingDeadLetterRetry);
        awaitingDeadLetterRetry.clear();
        toResume.retainAll(consumer.assignment());
        toResume.removeAll(pausedForBound);
        toResume.removeAll(awaitingTails);
        consumer.resume(toResume);
    }

    /**
     * Takes the consumer's positions, which move past transaction markers that no record stands for: without this, a
     * partition whose last batch was transactional would never be committed up to its end.
     */
    private void trackPositions() {
        for (TopicPartition partition : consumer.assignment()) {
            try {
                long position = consumer.position(partition, Duration.ZERO);
                positions.merge(partition.partition(), position, Math::max);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // No position yet (the first fetch has not answered); the records seen so far say enough.
                log.trace("No position yet for {}", partition);
            }
        }
    }

    private void settle(List<SegmentArchiver.Result> results) {
        for (SegmentArchiver.Result result : results) {
            int partition = result.segment().chain().partition();
            if (result.outcome() == SegmentArchiver.Outcome.OTHER_CUT) {
                resumeFromStorage(partition);
            } else if (!result.durable()) {
                tracker.block(partition);
                diverged = true;
                builder.drop(partition);
                archiver.dropPending(partition);
                consumer.pause(List.of(new TopicPartition(topic, partition)));
                log.error("Partition {} is paused and no longer committed; readiness fails", partition);
            }
        }
    }

    /**
     * Another writer owns a chain of {@code partition}: forgets what this instance holds of the partition, reads where
     * storage says each chain ends, and reads again from the committed offset, which never runs ahead of storage, so
     * every event not stored yet comes back and every stored one is skipped.
     */
    private void resumeFromStorage(int partition) {
        TopicPartition topicPartition = new TopicPartition(topic, partition);
        int dropped = builder.drop(partition) + archiver.dropPending(partition);
        storedTails.apply(partition).forEach(builder::resumeAfter);
        OffsetAndMetadata committed =
                consumer.committed(Set.of(topicPartition), COMMITTED_TIMEOUT).get(topicPartition);
        if (committed == null) {
            consumer.seekToBeginning(List.of(topicPartition));
        } else {
            consumer.seek(topicPartition, committed.offset());
        }
        positions.remove(partition);
        log.info(
                "Partition {} resumes from storage: {} events dropped, reading again from {}",
                partition,
                dropped,
                committed == null ? "the beginning" : committed.offset());
    }

    private void commit() {
        Map<Integer, Long> offsets = tracker.toCommit(positions, this::oldestNotStored);
        if (offsets.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach(
                (partition, offset) -> commit.put(new TopicPartition(topic, partition), new OffsetAndMetadata(offset)));
        try {
            commitSync(commit);
            tracker.committed(offsets);
            log.debug("Committed {}", offsets);
        } catch (RetriableException e) {
            log.warn("Commit of {} failed for now and is tried again on the next turn: {}", offsets, e.toString());
        } catch (CommitFailedException e) {
            log.warn("Commit of {} refused: the group rebalanced meanwhile", offsets, e);
        }
    }

    private void commitSync(Map<TopicPartition, OffsetAndMetadata> commit) {
        try {
            consumer.commitSync(commit);
        } catch (WakeupException e) {
            // A stop request woke the consumer during the commit; the commit must still happen before closing.
            consumer.commitSync(commit);
        }
    }

    private OptionalLong oldestNotStored(int partition) {
        OptionalLong open = builder.oldestOpenOffset(partition);
        OptionalLong pending = archiver.oldestPendingOffset(partition);
        if (open.isEmpty()) {
            return pending;
        }
        if (pending.isEmpty()) {
            return open;
        }
        return OptionalLong.of(Math.min(open.getAsLong(), pending.getAsLong()));
    }

    /**
     * Reads where storage says each chain ends for the partitions assigned but not read yet. A partition whose chain
     * ends cannot be read now (storage unreachable) stays paused and is tried again after a growing pause, so an
     * assignment during a storage outage neither stops the loop nor archives a stored event twice.
     */
    private void readStoredTails() {
        for (Iterator<TopicPartition> it = awaitingTails.iterator(); it.hasNext(); ) {
            TopicPartition partition = it.next();
            try {
                Map<String, Long> tails = storedTails.apply(partition.partition());
                tails.forEach(builder::resumeAfter);
                it.remove();
                if (consumer.paused().contains(partition)
                        && !pausedForBound.contains(partition)
                        && !awaitingDeadLetterRetry.contains(partition)) {
                    consumer.resume(List.of(partition));
                }
                log.info("Partition {} resumes after the stored chains {}", partition.partition(), tails);
            } catch (ArchiveStoreException e) {
                if (!e.retriable()) {
                    throw e;
                }
                consumer.pause(List.of(partition));
                nextTailsAttemptAt = clock.instant().plus(tailsRetryPause);
                log.warn(
                        "Cannot read the stored chain ends of partition {}, paused and tried again in {}: {}",
                        partition.partition(),
                        tailsRetryPause,
                        e.getMessage());
                tailsRetryPause = Collections.min(List.of(tailsRetryPause.multipliedBy(2), LAST_TAILS_RETRY));
                return;
            }
        }
        tailsRetryPause = FIRST_TAILS_RETRY;
    }

    /** Whether the consumer has read {@code partition} up to its end, as the last fetch saw it. */
    private boolean readToEnd(int partition) {
        OptionalLong lag = consumer.currentLag(new TopicPartition(topic, partition));
        return lag.isPresent() && lag.getAsLong() == 0;
    }

    private void reportLag() {
        for (TopicPartition partition : consumer.assignment()) {
            Long position = positions.get(partition.partition());
            OptionalLong lag = consumer.currentLag(partition);
            if (position == null || lag.isEmpty()) {
                continue;
            }
            long end = position + lag.getAsLong();
            long committed = tracker.lastCommitted(partition.partition()).orElse(position);
            metrics.lag(partition.partition(), Math.max(0, end - committed));
        }
    }

    /**
     * Before partitions go: stores the segments sealed already, commits what is stored, then seals and stores the
     * open segments of those partitions without committing them (see {@link #sealBeforeRelease}).
     */
    private void release(Collection<TopicPartition> partitions) {
        withinReleaseTimeout(() -> {
            lastUploads();
            commit();
            sealBeforeRelease(partitions);
        });
        forget(partitions);
    }

    /**
     * Runs what a release or a stop sends to storage within {@code releaseTimeout}, every request included, so a
     * store that hangs cannot hold the group's rebalance past the consumer's poll interval: what is not stored by
     * then stays uncommitted and is read again by the next owner.
     */
    private void withinReleaseTimeout(Runnable work) {
        ArchiveStore.within(releaseTimeout, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Seals the open segments of {@code partitions} and uploads them, but holds their offsets: nothing is committed
     * for buffered events on revocation or close, so a segment that did not make it to storage is simply read again.
     * The next owner is given the partition only once this instance has released it (eager and cooperative
     * rebalances alike), and it reads where the chains end before it reads a record, so it skips what was stored
     * here and cuts nothing twice; a late upload that lands after all is met by the create-only fence.
     *
     * <p>The attempts are bounded, in number and by the release timeout the caller runs this within: when sealed
     * segments still wait for storage, storage is failing, and more uploads would hold the rebalance (or the stop)
     * for the store's timeouts, so the open segments are left unsealed and uncommitted instead.
     */
    private void sealBeforeRelease(Collection<TopicPartition> partitions) {
        int open = partitions.stream()
                .mapToInt(p -> builder.openEvents(p.partition()))
                .sum();
        if (open == 0) {
            return;
        }
        partitions.forEach(p -> tracker.hold(p.partition()));
        if (archiver.hasPending()) {
            log.warn("Storage did not take the sealed segments; {} open events stay unsealed and uncommitted", open);
            return;
        }
        partitions.forEach(p -> builder.sealPartition(p.partition()).forEach(archiver::submit));
        List<SegmentArchiver.Result> results = new ArrayList<>();
        for (int attempt = 0; attempt < LAST_UPLOAD_ATTEMPTS && archiver.hasPending(); attempt++) {
            results.addAll(archiver.uploadPendingNow(clock.instant()));
        }
        long stored = results.stream()
                .filter(SegmentArchiver.Result::durable)
                .mapToLong(r -> r.segment().events().count())
                .sum();
        log.info(
                "Sealed the open segments of {} before letting them go: {} of {} events stored, none committed",
                partitions,
                stored,
                open);
    }

    private void lastUploads() {
        for (int attempt = 0; attempt < LAST_UPLOAD_ATTEMPTS && archiver.hasPending(); attempt++) {
            settle(archiver.uploadPendingNow(clock.instant()));
        }
    }

    private void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            int dropped = builder.drop(partition.partition()) + archiver.dropPending(partition.partition());
            if (dropped > 0) {
                log.info(
                        "Left {} events of partition {} that are not stored uncommitted; the next owner reads them"
                                + " again",
                        dropped,
                        partition.partition());
            }
            positions.remove(partition.partition());
            pausedForBound.remove(partition);
            awaitingTails.remove(partition);
            awaitingDeadLetterRetry.remove(partition);
            tracker.release(partition.partition());
        }
    }

    private void finish() {
        try {
            withinReleaseTimeout(() -> {
                lastUploads();
                commit();
                sealBeforeRelease(consumer.assignment().stream()
                        .filter(p -> !tracker.isBlocked(p.partition()))
                        .toList());
            });
        } catch (RuntimeException e) {
            log.error("Stopping without storing every sealed segment; their events are read again on restart", e);
        } finally {
            int left = builder.openEvents() + archiver.pendingEvents();
            if (left > 0) {
                log.info("Stopping with {} events not stored; they are read again from the committed offset", left);
            }
            // Closing revokes the partitions, which drops what is not stored only after the last commit.
            consumer.close();
            log.info("Archiver stopped");
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log.info("Partitions assigned: {}", partitions);
            deadLetters.onAssigned();
            awaitingTails.addAll(partitions);
            readStoredTails();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            log.info("Partitions revoked: {}", partitions);
            release(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log.warn("Partitions lost: {}", partitions);
            forget(partitions);
        }
    }
}
