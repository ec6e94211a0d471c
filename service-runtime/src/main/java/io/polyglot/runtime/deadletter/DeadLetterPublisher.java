package io.polyglot.runtime.deadletter;

import io.polyglot.runtime.KafkaClientConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends a group's dead letters to the dead-letter topic, one at a time, and returns only once Kafka has acknowledged
 * each (the producer writes with {@code acks=all} and idempotence). A record the {@link DeadLetterLedger} says the
 * group has dead-lettered already is not sent again.
 *
 * <p>A dead letter keeps the source record's key, value and headers as they were, and adds the {@link
 * DeadLetterHeaders}. Its own timestamp is the time it is sent, and the source record's travels in {@link
 * DeadLetterHeaders#SOURCE_TIMESTAMP}: stamped with the source's time, the dead letter of a record appended longer ago
 * than the dead-letter topic's {@code retention.ms} (a consumer that was down for a week, a rebuild, a record stamped
 * in the past by its producer) would be deleted by the broker's next retention check, and read as missing; a topic with
 * {@code message.timestamp.before.max.ms} would refuse it at once. Kafka's failure to take it is a {@link
 * DeadLetterUnavailableException}, never a silent drop: the caller must not move past the source record then.
 * Thread-safe.
 */
public final class DeadLetterPublisher implements AutoCloseable {

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final DeadLetterLedger ledger;
    private final Duration timeout;

    /**
     * A publisher over {@code producer}, which it closes.
     *
     * @param topic the dead-letter topic, {@code events.dlq} outside tests
     * @param ledger the ledger of the group whose dead letters these are
     * @param timeout how long one send may take before it counts as failed
     */
    public DeadLetterPublisher(
            Producer<byte[], byte[]> producer, String topic, DeadLetterLedger ledger, Duration timeout) {
        this.producer = producer;
        this.topic = topic;
        this.ledger = ledger;
        this.timeout = timeout;
    }

    /**
     * A publisher with a producer of its own, built by {@link KafkaClientConfig#producer} from {@code overrides}, its
     * waits bounded by {@code timeout}.
     *
     * @throws io.polyglot.runtime.InvalidSettingException when an override would weaken acks or idempotence
     */
    public static DeadLetterPublisher create(
            String bootstrapServers,
            int commandMaxBytes,
            Map<String, Object> overrides,
            String topic,
            DeadLetterLedger ledger,
            Duration timeout) {
        Map<String, Object> tuned = new HashMap<>(overrides);
        int millis = (int) Math.max(1_000, timeout.toMillis());
        tuned.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        tuned.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis / 2);
        tuned.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        tuned.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis);
        Map<String, Object> config = KafkaClientConfig.producer(bootstrapServers, commandMaxBytes, tuned);
        return new DeadLetterPublisher(new KafkaProducer<>(config), topic, ledger, timeout);
    }

    /**
     * Sends the dead letter of {@code source} for the ledger's group, unless the group has one already.
     *
     * @param error why the group gives up on the record; its message is bounded and credentials in it are masked
     * @param attempts how many times the group tried the record
     * @return true when it sent one now, false when the group had dead-lettered this record already
     * @throws DeadLetterUnavailableException when Kafka did not acknowledge it, or the ledger cannot be read
     */
    public boolean publish(ConsumerRecord<byte[], byte[]> source, Throwable error, int attempts) {
        DeadLetterSource from = new DeadLetterSource(source.topic(), source.partition(), source.offset());
        if (ledger.contains(from)) {
            return false;
        }
        ProducerRecord<byte[], byte[]> letter =
                new ProducerRecord<>(topic, null, null, source.key(), source.value(), headers(source, error, attempts));
        try {
            producer.send(letter).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(from, e);
        } catch (ExecutionException e) {
            throw unavailable(from, e.getCause());
        } catch (TimeoutException | KafkaException e) {
            throw unavailable(from, e);
        }
        ledger.sent(from);
        return true;
    }

    @Override
    public void close() {
        producer.close(timeout);
    }

    private DeadLetterUnavailableException unavailable(DeadLetterSource source, Throwable cause) {
        // The dead letter may have landed after all; the ledger reads the topic again before the next decision.
        ledger.invalidate();
        return new DeadLetterUnavailableException(
                "Kafka did not acknowledge the dead letter of " + source + " within " + timeout + ": " + cause, cause);
    }

    private Iterable<Header> headers(ConsumerRecord<byte[], byte[]> source, Throwable error, int attempts) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : source.headers()) {
            if (!DeadLetterHeaders.isDeadLetterHeader(header.key())) {
                headers.add(header);
            }
        }
        add(headers, DeadLetterHeaders.SOURCE_TOPIC, source.topic());
        add(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(source.partition()));
        add(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(source.offset()));
        if (source.timestamp() >= 0) {
            add(headers, DeadLetterHeaders.SOURCE_TIMESTAMP, Long.toString(source.timestamp()));
        }
        add(headers, DeadLetterHeaders.GROUP, ledger.group());
        add(headers, DeadLetterHeaders.ERROR_CLASS, error.getClass().getName());
        add(headers, DeadLetterHeaders.ERROR_MESSAGE, ErrorText.of(error, DeadLetterHeaders.ERROR_MESSAGE_MAX_CHARS));
        add(headers, DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts));
        return headers;
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
