package io.polyglot.bench;

import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;

/**
 * Fills a topic before a stage measures a worker on it: copies of the events the pipeline itself wrote to {@code
 * events.all} (the decider's output for the BPI 2012 cases), cycled, each pass re-keying every aggregate ({@code
 * <aggregate>~<tag>~<pass>}) with fresh event ids, so every copy is a new aggregate whose versions run 1, 2, 3 ...
 * like the original's. Each partition gets exactly the same number of events, so segments of any size that divides
 * it are all full and none waits for its idle seal; an aggregate whose partition is full is cut short, which leaves
 * it a prefix of its case.
 */
final class EventPrefill {
    private final String bootstrap;
    private final List<ConsumerRecord<byte[], byte[]>> sample;
    private final EventCodec codec = EventCodec.standard();

    EventPrefill(String bootstrap, List<ConsumerRecord<byte[], byte[]>> sample) {
        if (sample.isEmpty()) {
            throw new StageFailedException("no event of the pipeline to fill a topic with");
        }
        this.bootstrap = bootstrap;
        this.sample = sample;
    }

    /**
     * What a fill wrote: per partition the offset of its first event and the offset after its last, and the events
     * themselves, in the order they were sent.
     */
    record Filled(Map<Integer, Long> first, Map<Integer, Long> end, List<EventEnvelope> events) {
        int count() {
            return events.size();
        }

        /** The same offsets without the events, for a stage that only needs to read the range again. */
        Filled offsetsOnly() {
            return new Filled(first, end, List.of());
        }
    }

    /**
     * Writes the warm-up a worker drains unmeasured before the events of a {@link #fill} that follows:
     * {@code perPartition} events to each partition, none when it is 0. Returns how many it wrote.
     */
    int warmUp(String topic, int partitions, int perPartition, String tag) {
        return perPartition > 0
                ? fill(topic, partitions, perPartition, tag + "-warmup").count()
                : 0;
    }

    /** Writes {@code perPartition} events to each of the {@code partitions} partitions of {@code topic}. */
    Filled fill(String topic, int partitions, int perPartition, String tag) {
        int[] counts = new int[partitions];
        List<EventEnvelope> events = new ArrayList<>(partitions * perPartition);
        Map<Integer, Long> first = new ConcurrentHashMap<>();
        Map<Integer, Long> end = new ConcurrentHashMap<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        // Bigger batches than the defaults only make filling quicker; what is measured afterwards reads the topic.
        Map<String, Object> overrides = Map.of("linger.ms", 20, "batch.size", 256 * 1024, "compression.type", "none");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientConfig.producer(bootstrap, Limits.DEFAULT_COMMAND_MAX_BYTES, overrides))) {
            for (long pass = 0; events.size() < partitions * perPartition; pass++) {
                for (ConsumerRecord<byte[], byte[]> source : sample) {
                    EventEnvelope original = codec.decode(source.value());
                    String aggregateId = original.getAggregateId() + "~" + tag + "~" + pass;
                    byte[] key = aggregateId.getBytes(StandardCharsets.UTF_8);
                    // Kafka's default partitioner for a keyed record, so the copy lands where its key would anyway.
                    int partition = Utils.toPositive(Utils.murmur2(key)) % partitions;
                    if (counts[partition] == perPartition) {
                        continue;
                    }
                    counts[partition]++;
                    EventEnvelope copy = EventEnvelope.newBuilder(original)
                            .setAggregateId(aggregateId)
                            .setEventId(UUID.nameUUIDFromBytes((original.getEventId() + "~" + tag + "~" + pass)
                                            .getBytes(StandardCharsets.UTF_8))
                                    .toString())
                            .build();
                    events.add(copy);
                    ProducerRecord<byte[], byte[]> record =
                            new ProducerRecord<>(topic, partition, null, key, codec.encode(copy), source.headers());
                    producer.send(record, (metadata, error) -> {
                        if (error != null) {
                            failure.compareAndSet(null, error);
                            return;
                        }
                        first.merge(metadata.partition(), metadata.offset(), Math::min);
                        end.merge(metadata.partition(), metadata.offset() + 1, Math::max);
                    });
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new StageFailedException("filling " + topic + " failed: " + failure.get(), failure.get());
        }
        if (Arrays.stream(counts).anyMatch(count -> count != perPartition) || end.size() != partitions) {
            throw new StageFailedException("filling " + topic + " wrote " + Arrays.toString(counts));
        }
        return new Filled(new HashMap<>(first), new HashMap<>(end), List.copyOf(events));
    }
}
