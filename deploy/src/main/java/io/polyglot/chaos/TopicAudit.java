package io.polyglot.chaos;

import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.UndecodableRecordException;
import io.polyglot.schemas.avro.EventEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code events.all} read whole as a read-committed consumer (partitions assigned, nothing committed, no group
 * joined) and held against the commands the importer sent: each command's event present exactly once (by event id and
 * by command id), nothing else, and each aggregate's versions 1..n in one partition, n being its event count in the
 * log.
 *
 * @param records the records a read-committed consumer returned
 * @param undecodable records that are no envelope
 * @param duplicateEventIds event ids seen more than once (each extra sighting counted)
 * @param duplicateCommandIds command ids with more than one event (each extra event counted)
 * @param missing commands of the logs with no event
 * @param unexpected events of no command the logs explain
 * @param versionProblems aggregates whose versions are not exactly 1..n for the n events of its case
 * @param splitAggregates aggregates found in more than one partition
 * @param outOfPosition events whose version is not their position in the case (the order the log gives), checked apart
 *     from {@link #exact()}: a case recorded out of order still holds every event once
 * @param pastLastRecord per partition, the offset after its last record: what a caught-up consumer has passed
 * @param examples a few of the problems, for the report
 */
record TopicAudit(
        long records,
        long undecodable,
        long duplicateEventIds,
        long duplicateCommandIds,
        long missing,
        long unexpected,
        long versionProblems,
        long splitAggregates,
        long outOfPosition,
        Map<Integer, Long> pastLastRecord,
        List<String> examples) {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int EXAMPLES = 5;

    /** Every event present exactly once, nothing else, versions 1..n. */
    boolean exact() {
        return undecodable == 0
                && duplicateEventIds == 0
                && duplicateCommandIds == 0
                && missing == 0
                && unexpected == 0
                && versionProblems == 0
                && splitAggregates == 0;
    }

    /** Reads the topic at {@code bootstrapServers} to its end now and holds it against {@code expected}. */
    static TopicAudit of(String bootstrapServers, Map<String, LogReference.Expected> expected) {
        Map<String, Object> config = KafkaClientConfig.consumer(
                bootstrapServers,
                "polyglot-chaos-audit-" + UUID.randomUUID(),
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000));
        EventCodec codec = EventCodec.standard();
        Set<String> eventIds = new HashSet<>();
        Map<String, Integer> eventsPerCommand = new HashMap<>();
        Map<String, List<Long>> versions = new HashMap<>();
        Map<String, Integer> partitionOf = new HashMap<>();
        Map<Integer, Long> pastLast = new HashMap<>();
        List<String> examples = new ArrayList<>();
        long records = 0;
        long undecodable = 0;
        long duplicateEventIds = 0;
        long unexpected = 0;
        long split = 0;
        long outOfPosition = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS_ALL, TIMEOUT).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
            while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() >= ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        continue;
                    }
                    records++;
                    pastLast.merge(record.partition(), record.offset() + 1, Math::max);
                    EventEnvelope event;
                    try {
                        event = codec.decode(record.value());
                    } catch (UndecodableRecordException e) {
                        undecodable++;
                        note(examples, "undecodable record at " + record.partition() + "/" + record.offset());
                        continue;
                    }
                    if (!eventIds.add(event.getEventId())) {
                        duplicateEventIds++;
                        note(
                                examples,
                                "event id " + event.getEventId() + " seen again at " + record.partition() + "/"
                                        + record.offset());
                    }
                    eventsPerCommand.merge(event.getCommandId(), 1, Integer::sum);
                    LogReference.Expected command = expected.get(event.getCommandId());
                    String aggregate = event.getAggregateType() + "/" + event.getAggregateId();
                    if (command == null) {
                        unexpected++;
                        note(
                                examples,
                                "event " + event.getEventId() + " of " + aggregate + " answers no command of"
                                        + " the logs (command " + event.getCommandId() + ")");
                    } else if (command.position() != event.getAggregateVersion()) {
                        outOfPosition++;
                    }
                    versions.computeIfAbsent(aggregate, key -> new ArrayList<>())
                            .add(event.getAggregateVersion());
                    Integer first = partitionOf.putIfAbsent(aggregate, record.partition());
                    if (first != null && first != record.partition()) {
                        split++;
                        note(examples, aggregate + " is in partitions " + first + " and " + record.partition());
                    }
                }
            }
        }
        long duplicateCommands = 0;
        for (int count : eventsPerCommand.values()) {
            duplicateCommands += Math.max(0, count - 1);
        }
        long missing = 0;
        Map<String, Integer> eventsPerCase = new HashMap<>();
        for (Map.Entry<String, LogReference.Expected> command : expected.entrySet()) {
            LogReference.Expected e = command.getValue();
            eventsPerCase.merge(e.aggregateType() + "/" + e.caseId(), 1, Integer::sum);
            if (!eventsPerCommand.containsKey(command.getKey())) {
                missing++;
                note(examples, "no event for " + e.aggregateType() + " '" + e.caseId() + "' event " + e.position());
            }
        }
        long versionProblems = 0;
        for (Map.Entry<String, List<Long>> aggregate : versions.entrySet()) {
            List<Long> seen = aggregate.getValue();
            int n = eventsPerCase.getOrDefault(aggregate.getKey(), 0);
            boolean oneToN = seen.size() == n;
            for (int i = 0; oneToN && i < seen.size(); i++) {
                oneToN = seen.get(i) == i + 1;
            }
            if (!oneToN) {
                versionProblems++;
                note(examples, aggregate.getKey() + " has versions " + abbreviated(seen) + " for " + n + " events");
            }
        }
        return new TopicAudit(
                records,
                undecodable,
                duplicateEventIds,
                duplicateCommands,
                missing,
                unexpected,
                versionProblems,
                split,
                outOfPosition,
                Map.copyOf(pastLast),
                List.copyOf(examples));
    }

    private static String abbreviated(List<Long> versions) {
        return versions.size() <= 12
                ? versions.toString()
                : versions.subList(0, 12).toString().replace("]", ", ... (" + versions.size() + ")]");
    }

    private static void note(List<String> examples, String example) {
        if (examples.size() < EXAMPLES) {
            examples.add(example);
        }
    }
}
