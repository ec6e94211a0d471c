package io.polyglot.archiver;

import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreException;
import io.polyglot.archive.store.PutResult;
import io.polyglot.archive.store.SegmentMetadata;
import io.polyglot.schemas.UndecodableRecordException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Takes sealed segments to durable storage: first the warm tier (local disk, forced), then at once the cold tier
 * (the archive store, create-only). A segment stays pending until the store holds it; a store that cannot be reached
 * is tried again after a growing pause, read from the clock the caller passes, so the poll loop never sleeps.
 *
 * <p>When the key is already taken ({@code 412}), the existing object's metadata decides, and the SHA-256 recorded at
 * seal time is the only checksum compared: the same offsets and the same SHA-256 mean the segment is stored already;
 * other offsets mean another writer cut the chain differently and owns it, so the caller drops what it holds of that
 * partition and resumes from storage; the same offsets with another SHA-256 (or an object without segment metadata)
 * are a divergence, which the caller answers by no longer committing the partition.
 *
 * <p>On the poll loop's turns ({@link #uploadPending}) the segments of different partitions go up side by side, one
 * lane per partition on up to {@link #UPLOAD_LANES} threads, each lane in its partition's seal order and stopping where
 * its partition must be settled; so one partition's fsync and PUT no longer wait for another's. Everything else (the
 * warm tier's budget, the manifests, the retry pause, the results) is settled on the caller's thread once every lane
 * is done, in seal order per partition, before the caller commits. The last uploads of a release or a stop ({@link
 * #uploadPendingNow}) stay on the caller's thread, within the time budget the caller set for its requests.
 */
final class SegmentArchiver {

    private static final Logger log = LoggerFactory.getLogger(SegmentArchiver.class);

    /** Partitions whose segments go up at the same time on a turn; the local stack has 6. */
    static final int UPLOAD_LANES = 4;

    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);

    /** What became of a segment. */
    enum Outcome {
        /** The store created the object. */
        STORED,
        /** The store already held an identical segment under the key. */
        ALREADY_STORED,
        /** Another writer stored a different cut under the key; the partition must resume from storage. */
        OTHER_CUT,
        /** The key holds the same offsets with different bytes; the partition must stop committing. */
        DIVERGED,
        /** The store or the disk refused the segment for good; the partition must stop committing. */
        REFUSED
    }

    /**
     * A segment that left the pending queue.
     *
     * @param segment the segment
     * @param outcome what became of it
     */
    record Result(SealedSegment segment, Outcome outcome) {
        boolean durable() {
            return outcome == Outcome.STORED || outcome == Outcome.ALREADY_STORED;
        }
    }

    private final ArchiveStore store;
    private final WarmTier warm;
    private final ArchiverMetrics metrics;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private final Set<String> indexed = ConcurrentHashMap.newKeySet();
    // A queue, not a hand-off: a lane thread whose task has just completed its future may not be back at the queue
    // when the next round is submitted, and a hand-off to a full pool would then reject the lane and end the loop.
    private final ExecutorService lanes = laneThreads();
    private final ChainManifests manifests;
    private Instant nextAttemptAt = Instant.MIN;
    private Duration retryPause = FIRST_RETRY;

    SegmentArchiver(ArchiveStore store, WarmTier warm, ArchiverMetrics metrics) {
        this.store = store;
        this.warm = warm;
        this.metrics = metrics;
        this.manifests = new ChainManifests(store);
    }

    /** Queues a sealed segment; it counts as not durably stored until {@link #uploadPending} stores it. */
    void submit(SealedSegment segment) {
        pending.addLast(new Pending(segment));
    }

    /**
     * Writes and uploads the pending segments in the order they were sealed, unless the last attempt failed less
     * than the retry pause ago. Stops at the first segment that cannot be stored for now, and right after one that
     * is not durable, so the caller settles its partition before a later segment of the same chain goes up.
     */
    List<Result> uploadPending(Instant now) {
        if (now.isBefore(nextAttemptAt)) {
            return List.of();
        }
        Map<Integer, List<Pending>> byPartition = new LinkedHashMap<>();
        for (Pending next : pending) {
            byPartition
                    .computeIfAbsent(next.segment.chain().partition(), partition -> new ArrayList<>())
                    .add(next);
        }
        if (byPartition.size() <= 1) {
            return uploadPendingNow(now);
        }
        return uploadSideBySide(now, new ArrayList<>(byPartition.values()));
    }

    /** What one lane did: the segments it settled, in order, and why it stopped early, if a store failed for now. */
    private record Lane(List<Attempted> settled, Exception postponedBy) {}

    private record Attempted(Pending pending, Outcome outcome) {}

    private List<Result> uploadSideBySide(Instant now, List<List<Pending>> partitions) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        List<Lane> done = new ArrayList<>();
        RuntimeException failure = null;
        try {
            for (int from = 0; from < partitions.size(); from += UPLOAD_LANES) {
                List<Future<Lane>> running = new ArrayList<>();
                for (List<Pending> partition :
                        partitions.subList(from, Math.min(partitions.size(), from + UPLOAD_LANES))) {
                    running.add(lanes.submit(() -> lane(partition, context)));
                }
                for (Future<Lane> lane : running) {
                    try {
                        done.add(awaitUninterruptibly(lane));
                    } catch (ExecutionException e) {
                        // As on the caller's thread, an unexpected error ends the loop; the other lanes finish first.
                        failure = e.getCause() instanceof RuntimeException runtime
                                ? runtime
                                : new IllegalStateException("an upload lane failed", e.getCause());
                    }
                }
                if (failure != null) {
                    throw failure;
                }
            }
            List<Result> results = new ArrayList<>();
            Exception postponedBy = null;
            for (Lane lane : done) {
                for (Attempted attempted : lane.settled()) {
                    pending.remove(attempted.pending());
                    results.add(settled(attempted.pending(), attempted.outcome()));
                }
                if (lane.postponedBy() != null) {
                    postponedBy = lane.postponedBy();
                }
            }
            if (postponedBy != null) {
                postpone(now, postponedBy);
            }
            return results;
        } finally {
            manifests.flush();
        }
    }

    private Lane lane(List<Pending> partition, Map<String, String> context) {
        if (context != null) {
            MDC.setContextMap(context);
        }
        try {
            List<Attempted> settled = new ArrayList<>();
            for (Pending next : partition) {
                Attempt attempt = store(next);
                if (attempt.postponedBy() != null) {
                    return new Lane(settled, attempt.postponedBy());
                }
                settled.add(new Attempted(next, attempt.outcome()));
                if (!new Result(next.segment, attempt.outcome()).durable()) {
                    break;
                }
            }
            return new Lane(settled, null);
        } finally {
            MDC.clear();
        }
    }

    private static Lane awaitUninterruptibly(Future<Lane> lane) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return lane.get();
                } catch (InterruptedException e) {
                    // The lane writes and uploads a segment; leaving it half-settled would lose track of it.
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The threads of the upload lanes: at most {@link #UPLOAD_LANES} at once, the rest of a round queued. */
    static ExecutorService laneThreads() {
        ThreadPoolExecutor threads = new ThreadPoolExecutor(
                UPLOAD_LANES,
                UPLOAD_LANES,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                SegmentArchiver::laneThread);
        threads.allowCoreThreadTimeOut(true);
        return threads;
    }

    private static Thread laneThread(Runnable work) {
        Thread thread = new Thread(work, "archiver-upload");
        thread.setDaemon(true);
        return thread;
    }

    /** Like {@link #uploadPending}, without waiting for the retry pause: for the last attempts before stopping. */
    List<Result> uploadPendingNow(Instant now) {
        List<Result> results = new ArrayList<>();
        try {
            while (!pending.isEmpty()) {
                Pending next = pending.peekFirst();
                Attempt attempt = store(next);
                if (attempt.postponedBy() != null) {
                    postpone(now, attempt.postponedBy());
                    break;
                }
                pending.removeFirst();
                Result result = settled(next, attempt.outcome());
                results.add(result);
                if (!result.durable()) {
                    break;
                }
            }
        } finally {
            // One manifest part per chain for what this pass stored, before the caller commits past it.
            manifests.flush();
        }
        return results;
    }

    /** The first offset of the oldest pending segment of {@code partition}, empty when none is pending. */
    OptionalLong oldestPendingOffset(int partition) {
        return pending.stream()
                .filter(p -> p.segment.chain().partition() == partition)
                .mapToLong(p -> p.segment.firstOffset())
                .min();
    }

    /** Forgets the pending segments of {@code partition}; their events will be read again from Kafka. */
    int dropPending(int partition) {
        manifests.forget(partition);
        int dropped = 0;
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.segment.chain().partition() == partition) {
                dropped += p.segment.events().count();
                p.segment.events().discard();
                it.remove();
            }
        }
        return dropped;
    }

    int pendingEvents() {
        return pending.stream().mapToInt(p -> p.segment.events().count()).sum();
    }

    /** How many bytes wait for upload: the warm files written, the journals of segments not written yet. */
    long pendingBytes() {
        return pending.stream().mapToLong(Pending::bytes).sum();
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    /** What storing a segment came to: an outcome, or a failure for now that postpones the next attempt. */
    private record Attempt(Outcome outcome, Exception postponedBy) {}

    /**
     * Writes the segment to the warm tier (once) and uploads it; touches nothing shared but the warm tier's files, the
     * store and the metrics, so lanes of different partitions may run it at the same time.
     */
    private Attempt store(Pending next) {
        SealedSegment segment = next.segment;
        MDC.put("segment", segment.key().value());
        try {
            if (next.warm == null) {
                next.warm = warm.write(segment);
                segment.events().discard();
                metrics.segmentSealed(segment.chain().aggregateType());
            }
            return new Attempt(upload(next.warm), null);
        } catch (ArchiveStoreException e) {
            if (!e.retriable()) {
                log.error("Archive store refused segment {} for good", segment.key(), e);
                return new Attempt(Outcome.REFUSED, null);
            }
            return new Attempt(null, e);
        } catch (UndecodableRecordException e) {
            log.error("Segment {} cannot be written as a self-describing segment file", segment.key(), e);
            return new Attempt(Outcome.REFUSED, null);
        } catch (IOException e) {
            return new Attempt(null, e);
        } finally {
            MDC.remove("segment");
        }
    }

    /** Settles a segment that left the queue, on the caller's thread: the warm tier's budget and the manifest. */
    private Result settled(Pending next, Outcome outcome) {
        if (outcome == Outcome.STORED || outcome == Outcome.ALREADY_STORED) {
            warm.stored(next.warm);
            manifests.record(next.segment, next.warm.metadata());
        }
        retryPause = FIRST_RETRY;
        nextAttemptAt = Instant.MIN;
        return new Result(next.segment, outcome);
    }

    private Outcome upload(WarmSegment written) {
        SealedSegment segment = written.segment();
        String indexEntry = segment.key().indexEntry();
        if (!indexed.contains(indexEntry)) {
            // Before the chain's first segment: resuming the partition finds the chain through this entry.
            store.putMarkerIfAbsent(indexEntry);
            indexed.add(indexEntry);
        }
        PutResult result = store.putIfAbsent(segment.key().value(), written.file(), written.metadata());
        if (result instanceof PutResult.AlreadyExists exists) {
            return judgeExisting(written, exists.existing());
        }
        metrics.eventsArchived(segment.chain().aggregateType(), segment.events().count());
        log.info(
                "Segment sealed and uploaded ({} events, offsets {}..{}, {})",
                segment.events().count(),
                segment.firstOffset(),
                segment.lastOffset(),
                segment.reason());
        return Outcome.STORED;
    }

    private Outcome judgeExisting(WarmSegment written, Optional<SegmentMetadata> existing) {
        SealedSegment segment = written.segment();
        String type = segment.chain().aggregateType();
        if (existing.isPresent() && existing.get().sameSegmentAs(written.metadata())) {
            metrics.eventsArchived(type, segment.events().count());
            log.info("Segment was already stored with the same offsets and SHA-256");
            return Outcome.ALREADY_STORED;
        }
        if (existing.isPresent() && !existing.get().sameCutAs(written.metadata())) {
            metrics.otherCut(type);
            log.warn(
                    "Segment key is taken by another writer's cut (offsets {}..{}), this archiver cut {}..{}; partition"
                            + " {} drops what it holds and resumes from storage",
                    existing.get().firstOffset(),
                    existing.get().lastOffset(),
                    segment.firstOffset(),
                    segment.lastOffset(),
                    segment.chain().partition());
            return Outcome.OTHER_CUT;
        }
        metrics.divergence(type);
        log.error(
                "Segment diverges: the store holds {} under its key, this archiver sealed offsets {}..{} with SHA-256"
                        + " {}; partition {} stops committing",
                existing.map(m -> "offsets " + m.firstOffset() + ".." + m.lastOffset() + " with SHA-256 " + m.sha256())
                        .orElse("an object without segment metadata"),
                segment.firstOffset(),
                segment.lastOffset(),
                written.metadata().sha256(),
                segment.chain().partition());
        return Outcome.DIVERGED;
    }

    private void postpone(Instant now, Exception cause) {
        nextAttemptAt = now.plus(retryPause);
        log.warn("Cannot store segment now, trying again in {}: {}", retryPause, cause.toString());
        log.debug("Cause of the failed attempt", cause);
        retryPause = retryPause.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retryPause.multipliedBy(2);
    }

    private static final class Pending {
        private final SealedSegment segment;
        private WarmSegment warm;

        Pending(SealedSegment segment) {
            this.segment = segment;
        }

        long bytes() {
            return warm == null ? segment.events().bytes() : warm.bytes();
        }
    }
}
