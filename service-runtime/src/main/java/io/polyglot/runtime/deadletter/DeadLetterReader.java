package io.polyglot.runtime.deadletter;

import io.polyglot.runtime.TopicSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the dead-letter topic from its beginning to the end it has when the read starts, with a
 * {@link TopicSnapshot}, so reading moves no one's offsets.
 *
 * <p>A record without the design's source headers, or with values that are not numbers, is not a dead letter anyone
 * can act on and is left out (logged at DEBUG). Instances are thread-safe: each read uses a consumer of its own.
 */
public final class DeadLetterReader {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterReader.class);

    private final String bootstrapServers;
    private final String topic;
    private final Duration timeout;
    private final Map<String, Object> consumerOverrides;

    /**
     * A reader of {@code topic} ({@code events.dlq} outside tests).
     *
     * @param timeout how long one whole read may take before it gives up
     * @param consumerOverrides Kafka consumer properties, as the service passes them through
     */
    public DeadLetterReader(
            String bootstrapServers, String topic, Duration timeout, Map<String, Object> consumerOverrides) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.timeout = timeout;
        this.consumerOverrides = Map.copyOf(consumerOverrides);
    }

    /** The topic it reads. */
    public String topic() {
        return topic;
    }

    /**
     * The dead letters of {@code group}, one per source record (the first one sent, when a crash made two), in the
     * order of their source.
     *
     * @throws DeadLetterUnavailableException when the topic cannot be read to its end within the timeout
     */
    public List<DeadLetter> read(String group) {
        Map<DeadLetterSource, DeadLetter> bySource = new TreeMap<>();
        for (DeadLetter letter : readAll()) {
            if (letter.group().equals(group)) {
                bySource.putIfAbsent(letter.source(), letter);
            }
        }
        return List.copyOf(bySource.values());
    }

    /**
     * Every dead letter of every group, in the topic's order per partition, duplicates included.
     *
     * @throws DeadLetterUnavailableException when the topic cannot be read to its end within the timeout
     */
    public List<DeadLetter> readAll() {
        List<DeadLetter> letters = new ArrayList<>();
        try {
            TopicSnapshot.read(
                    bootstrapServers,
                    topic,
                    consumerOverrides,
                    timeout,
                    record -> parse(record).ifPresent(letters::add));
            return letters;
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            throw new DeadLetterUnavailableException("interrupted while reading " + topic, e);
        } catch (KafkaException e) {
            throw new DeadLetterUnavailableException("cannot read " + topic + " to its end: " + e.getMessage(), e);
        }
    }

    /** The dead letter {@code record} holds, or empty when it lacks the headers that say where it came from. */
    static Optional<DeadLetter> parse(ConsumerRecord<byte[], byte[]> record) {
        try {
            String sourceTopic = text(record, DeadLetterHeaders.SOURCE_TOPIC);
            String group = text(record, DeadLetterHeaders.GROUP);
            if (sourceTopic == null || group == null) {
                log.debug(
                        "{}-{}@{} has no source or group header", record.topic(), record.partition(), record.offset());
                return Optional.empty();
            }
            DeadLetterSource source = new DeadLetterSource(
                    sourceTopic,
                    Integer.parseInt(text(record, DeadLetterHeaders.SOURCE_PARTITION)),
                    Long.parseLong(text(record, DeadLetterHeaders.SOURCE_OFFSET)));
            String attempts = text(record, DeadLetterHeaders.ATTEMPTS);
            // dead letters sent before the header existed carry the source's timestamp as their own
            String sourceTimestamp = text(record, DeadLetterHeaders.SOURCE_TIMESTAMP);
            List<Map.Entry<String, byte[]>> sourceHeaders = new ArrayList<>();
            for (Header header : record.headers()) {
                if (!DeadLetterHeaders.isDeadLetterHeader(header.key())) {
                    sourceHeaders.add(new AbstractMap.SimpleImmutableEntry<>(header.key(), header.value()));
                }
            }
            return Optional.of(new DeadLetter(
                    source,
                    group,
                    text(record, DeadLetterHeaders.ERROR_CLASS),
                    text(record, DeadLetterHeaders.ERROR_MESSAGE),
                    attempts == null ? 1 : Integer.parseInt(attempts),
                    record.key(),
                    record.value(),
                    sourceTimestamp == null ? record.timestamp() : Long.parseLong(sourceTimestamp),
                    sourceHeaders,
                    record.partition(),
                    record.offset()));
        } catch (IllegalArgumentException e) {
            log.debug(
                    "{}-{}@{} is not a dead letter: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.toString());
            return Optional.empty();
        }
    }

    private static String text(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
