package io.polyglot.archive.store;

import io.polyglot.schemas.SafeSegment;
import io.polyglot.schemas.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks guarantee I1 partition by partition: each offset a read-committed consumer returned is in exactly one
 * segment, of the event's aggregate type, and every other chain of the partition whose manifest reaches the offset
 * accounts for it as empty; no segment holds an offset below the end offset that the consumer did not return. An
 * offset the archiver's group dead-lettered is covered by its dead letter (and, once retried, its late segment)
 * instead, and must be in no regular segment; a late segment of an offset the consumer does not return is a problem.
 */
final class TopicCoverage {

    private static final String NO_TYPE = "(no aggregateType header)";

    private final CommittedEvents committed;
    private final Map<Integer, List<ArchiveVerifier.StoredSegment>> segmentsByPartition = new TreeMap<>();
    private final Map<Integer, List<ManifestChain>> chainsByPartition = new TreeMap<>();
    private final DeadLetteredOffsets deadLetters;
    private final Map<Integer, Set<Long>> lateOffsets = new TreeMap<>();
    private final List<String> problems;

    TopicCoverage(
            CommittedEvents committed,
            Collection<ArchiveVerifier.StoredSegment> segments,
            Map<String, ManifestChain> chains,
            DeadLetteredOffsets deadLetters,
            Collection<DeadLetterResolutions.SourceOffset> late,
            List<String> problems) {
        this.committed = committed;
        this.deadLetters = deadLetters;
        this.problems = problems;
        late.forEach(at -> lateOffsets
                .computeIfAbsent(at.partition(), p -> new HashSet<>())
                .add(at.offset()));
        segments.forEach(segment -> segmentsByPartition
                .computeIfAbsent(segment.key().partition(), p -> new ArrayList<>())
                .add(segment));
        chains.values()
                .forEach(chain -> chainsByPartition
                        .computeIfAbsent(chain.partition(), p -> new ArrayList<>())
                        .add(chain));
    }

    void check() {
        TreeSet<Integer> partitions = new TreeSet<>(segmentsByPartition.keySet());
        partitions.addAll(lateOffsets.keySet());
        committed.partitions().forEach(partitions::add);
        partitions.forEach(this::check);
    }

    private void check(int partition) {
        long end = committed.endOffset(partition);
        Map<Long, ArchiveVerifier.StoredSegment> owners = owners(partition, end);
        Map<String, List<Long>> missing = new TreeMap<>();
        Map<String, List<Long>> wrongType = new TreeMap<>();
        Map<String, List<Long>> notEmpty = new TreeMap<>();
        Map<String, List<Long>> deadLetteredToo = new TreeMap<>();
        Set<Long> late = lateOffsets.getOrDefault(partition, new HashSet<>());
        List<ManifestChain> chains = chainsByPartition.getOrDefault(partition, List.of());
        for (int i = 0; i < committed.size(partition); i++) {
            long offset = committed.offset(partition, i);
            String type = committed.aggregateType(partition, i);
            String typeSegment = type == null ? null : SafeSegment.of(type);
            ArchiveVerifier.StoredSegment owner = owners.remove(offset);
            late.remove(offset);
            if (deadLetters.contains(partition, offset)) {
                if (owner != null) {
                    deadLetteredToo
                            .computeIfAbsent(owner.key().value(), k -> new ArrayList<>())
                            .add(offset);
                }
            } else if (owner == null) {
                missing.computeIfAbsent(type == null ? NO_TYPE : type, t -> new ArrayList<>())
                        .add(offset);
            } else if (!owner.key().typeSegment().equals(typeSegment)) {
                wrongType
                        .computeIfAbsent(owner.key().value(), k -> new ArrayList<>())
                        .add(offset);
            }
            for (ManifestChain chain : chains) {
                if (offset <= chain.lastOffset() && !chain.isOf(typeSegment) && !chain.accountsAsEmpty(offset)) {
                    notEmpty.computeIfAbsent(chain.prefix(), c -> new ArrayList<>())
                            .add(offset);
                }
            }
        }
        report(partition, missing, wrongType, notEmpty, notReturned(owners));
        deadLetteredToo.forEach((key, offsets) -> problems.add(key + " holds offsets " + describe(offsets)
                + " of partition " + partition + " that the archiver's group dead-lettered."));
        List<Long> lateNotReturned =
                late.stream().filter(offset -> offset < end).sorted().toList();
        if (!lateNotReturned.isEmpty()) {
            problems.add("Late segments hold offsets " + describe(lateNotReturned)
                    + " that a read-committed consumer of partition " + partition + " does not return.");
        }
    }

    /** Which segment holds each offset below {@code end}; an offset in segments of two chains is a problem. */
    private Map<Long, ArchiveVerifier.StoredSegment> owners(int partition, long end) {
        Map<Long, ArchiveVerifier.StoredSegment> owners = new HashMap<>();
        Map<String, List<Long>> doubled = new TreeMap<>();
        for (ArchiveVerifier.StoredSegment segment : segmentsByPartition.getOrDefault(partition, List.of())) {
            for (long offset : segment.offsets()) {
                if (offset >= end) {
                    continue;
                }
                ArchiveVerifier.StoredSegment other = owners.putIfAbsent(offset, segment);
                // Two segments of one chain that share offsets are already reported as overlapping.
                if (other != null && !other.chain().equals(segment.chain())) {
                    doubled.computeIfAbsent(other.key() + " and " + segment.key(), pair -> new ArrayList<>())
                            .add(offset);
                }
            }
        }
        doubled.forEach((pair, offsets) -> problems.add(
                "Offsets " + describe(offsets) + " of partition " + partition + " are in two segments: " + pair + "."));
        return owners;
    }

    private static Map<String, List<Long>> notReturned(Map<Long, ArchiveVerifier.StoredSegment> owners) {
        Map<String, List<Long>> bySegment = new TreeMap<>();
        owners.forEach((offset, segment) -> bySegment
                .computeIfAbsent(segment.key().value(), k -> new ArrayList<>())
                .add(offset));
        return bySegment;
    }

    private void report(
            int partition,
            Map<String, List<Long>> missing,
            Map<String, List<Long>> wrongType,
            Map<String, List<Long>> notEmpty,
            Map<String, List<Long>> notReturned) {
        missing.forEach((type, offsets) -> problems.add(Topics.EVENTS_ALL + " partition " + partition + ": "
                + offsets.size() + " events of " + type + " are in no segment, at offsets " + describe(offsets) + "."));
        wrongType.forEach((key, offsets) -> problems.add(key + " holds offsets " + describe(offsets) + " of partition "
                + partition + ", whose events are of another aggregate type."));
        notEmpty.forEach((chain, offsets) -> problems.add(chain + " does not account for offsets " + describe(offsets)
                + " of partition " + partition + " as empty, though they hold events of another type."));
        notReturned.forEach((key, offsets) -> problems.add(key + " holds offsets " + describe(offsets)
                + " that a read-committed consumer of partition " + partition + " does not return."));
    }

    private static String describe(List<Long> offsets) {
        List<Long> sorted = new ArrayList<>(offsets);
        sorted.sort(null);
        return ArchiveVerifier.describe(ArchiveVerifier.ranges(sorted));
    }
}
