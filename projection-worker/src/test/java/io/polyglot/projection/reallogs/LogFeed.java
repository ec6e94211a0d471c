package io.polyglot.projection.reallogs;

import io.polyglot.projection.ReadModelStore;
import io.polyglot.projection.domain.BatchFolder;
import io.polyglot.projection.domain.PartitionAdvance;
import io.polyglot.projection.domain.ProjectedEvent;
import io.polyglot.projection.domain.ReadModelBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Utils;

/**
 * A log laid out the way {@code events.all} holds it: each event in the partition Kafka's default partitioner picks
 * for its aggregate id, at the next offset there, with the aggregate version the decider gives it. It feeds itself to
 * a {@link ReadModelStore} in polls, as the worker does, in whichever order of partitions a test asks for.
 */
public final class LogFeed {

    public static final String TOPIC = "events.all";

    private final List<List<ProjectedEvent>> partitions;

    private LogFeed(List<List<ProjectedEvent>> partitions) {
        this.partitions = partitions;
    }

    public static LogFeed of(List<LogEvent> log, int partitionCount) {
        List<List<ProjectedEvent>> partitions = new ArrayList<>();
        for (int i = 0; i < partitionCount; i++) {
            partitions.add(new ArrayList<>());
        }
        for (LogEvent event : log) {
            byte[] key = event.caseId().getBytes(StandardCharsets.UTF_8);
            int partition = Utils.toPositive(Utils.murmur2(key)) % partitionCount;
            List<ProjectedEvent> events = partitions.get(partition);
            events.add(new ProjectedEvent(
                    partition,
                    events.size(),
                    event.aggregateType(),
                    event.caseId(),
                    event.position(),
                    event.activity(),
                    event.lifecycle(),
                    event.occurredAt(),
                    event.attributes()));
        }
        return new LogFeed(partitions);
    }

    /** How many events the partition holds. */
    public int size(int partition) {
        return partitions.get(partition).size();
    }

    /** The partition that holds the most events. */
    public int largestPartition() {
        return IntStream.range(0, partitions.size())
                .boxed()
                .max(Comparator.comparingInt(this::size))
                .orElseThrow();
    }

    /**
     * Applies every event: each poll takes up to {@code perPartition} events from each partition of {@code order}
     * that has some left, the way a consumer's poll mixes partitions.
     */
    public void applyInterleaved(ReadModelStore store, List<Integer> order, int perPartition) {
        Map<Integer, Long> next = new HashMap<>();
        BatchFolder folder = new BatchFolder();
        boolean more = true;
        while (more) {
            more = false;
            List<ProjectedEvent> events = new ArrayList<>();
            List<PartitionAdvance> advances = new ArrayList<>();
            for (int partition : order) {
                long from = next.getOrDefault(partition, 0L);
                List<ProjectedEvent> all = partitions.get(partition);
                if (from >= all.size()) {
                    continue;
                }
                long to = Math.min(all.size(), from + perPartition);
                events.addAll(all.subList((int) from, (int) to));
                advances.add(advance(next, partition, to));
                more = true;
            }
            if (more) {
                requireApplied(store.apply(folder.fold(TOPIC, events, advances).batch()));
            }
        }
    }

    /** Applies every event, one partition after the other in {@code order}, {@code perPoll} events per poll. */
    public void applyPartitionByPartition(ReadModelStore store, List<Integer> order, int perPoll) {
        BatchFolder folder = new BatchFolder();
        Map<Integer, Long> next = new HashMap<>();
        for (int partition : order) {
            List<ProjectedEvent> all = partitions.get(partition);
            for (int from = 0; from < all.size(); from += perPoll) {
                int to = Math.min(all.size(), from + perPoll);
                ReadModelBatch batch = folder.fold(TOPIC, all.subList(from, to), List.of(advance(next, partition, to)))
                        .batch();
                requireApplied(store.apply(batch));
            }
        }
    }

    /** The batch of one poll of {@code count} events of a partition from {@code from}, first advancing from none. */
    public ReadModelBatch poll(int partition, int from, int count, OptionalLong expected) {
        List<ProjectedEvent> all = partitions.get(partition);
        int to = Math.min(all.size(), from + count);
        return new BatchFolder()
                .fold(TOPIC, all.subList(from, to), List.of(new PartitionAdvance(partition, expected, to)))
                .batch();
    }

    private static PartitionAdvance advance(Map<Integer, Long> next, int partition, long to) {
        Long stored = next.get(partition);
        next.put(partition, to);
        return new PartitionAdvance(partition, stored == null ? OptionalLong.empty() : OptionalLong.of(stored), to);
    }

    private static void requireApplied(ReadModelStore.BatchOutcome outcome) {
        if (!(outcome instanceof ReadModelStore.Applied)) {
            throw new IllegalStateException("a batch was not applied: " + outcome);
        }
    }
}
