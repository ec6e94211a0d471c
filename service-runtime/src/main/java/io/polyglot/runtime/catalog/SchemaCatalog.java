package io.polyglot.runtime.catalog;

import io.polyglot.runtime.TopicSnapshot;
import io.polyglot.schemas.KnownSchemas;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.message.SchemaStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compacted {@code schemas} topic as an Avro {@link SchemaStore}: fingerprint (key, 16 lower-case hex digits) to
 * schema JSON (value), as writers publish them before they use them. Give it to
 * {@link io.polyglot.schemas.EventCodec#withCatalog} so values and payloads of newer writers decode.
 *
 * <p>A fingerprint it does not hold makes it read the topic again, from the beginning to the end it has at that
 * moment, at most once per {@code minRefreshInterval} (by the injected clock) and within {@code refreshTimeout}; a
 * fingerprint still missing after a read is found nowhere, and {@link #findByFingerprint} answers null. When the
 * topic cannot be read, {@link #findByFingerprint} throws {@link SchemaCatalogUnavailableException} (also during the
 * pause after a failed read), so no caller takes "cannot look it up" for "found nowhere".
 *
 * <p>A record whose key is not 16 hex digits, whose value is not a schema, or whose schema's fingerprint is not its
 * key is left out and logged at WARN: garbage in the topic never breaks the catalog. Thread-safe.
 */
public final class SchemaCatalog implements SchemaStore {

    /** How long one read of the topic may take unless configured otherwise. */
    public static final Duration DEFAULT_REFRESH_TIMEOUT = Duration.ofSeconds(10);

    /** The shortest time between two reads of the topic unless configured otherwise. */
    public static final Duration DEFAULT_MIN_REFRESH_INTERVAL = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(SchemaCatalog.class);

    private final String bootstrapServers;
    private final String topic;
    private final Map<String, Object> consumerOverrides;
    private final Duration refreshTimeout;
    private final Duration minRefreshInterval;
    private final Clock clock;
    private final Map<Long, Schema> schemas = new ConcurrentHashMap<>();
    private Instant lastRead = Instant.MIN;
    private KafkaException lastFailure;

    /**
     * A catalog of {@code topic} ({@code schemas} outside tests); empty until a fingerprint is missing or
     * {@link #refresh()} is called.
     */
    public SchemaCatalog(
            String bootstrapServers,
            String topic,
            Map<String, Object> consumerOverrides,
            Duration refreshTimeout,
            Duration minRefreshInterval,
            Clock clock) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.consumerOverrides = Map.copyOf(consumerOverrides);
        this.refreshTimeout = refreshTimeout;
        this.minRefreshInterval = minRefreshInterval;
        this.clock = clock;
    }

    /**
     * The schema with {@code fingerprint}, reading the topic again first when it is missing and the last read is at
     * least the minimum interval ago.
     *
     * @return the schema, or null when the topic, read within the interval, does not hold it
     * @throws SchemaCatalogUnavailableException when the topic cannot be read now
     */
    @Override
    public Schema findByFingerprint(long fingerprint) {
        Schema schema = schemas.get(fingerprint);
        if (schema != null) {
            return schema;
        }
        synchronized (this) {
            Instant now = clock.instant();
            if (!now.isBefore(lastRead.plus(minRefreshInterval))) {
                refresh();
            } else if (lastFailure != null) {
                throw unavailable(lastFailure);
            }
        }
        return schemas.get(fingerprint);
    }

    /** The schema with {@code fingerprint} if the catalog holds it now, without reading the topic. */
    public Optional<Schema> cached(long fingerprint) {
        return Optional.ofNullable(schemas.get(fingerprint));
    }

    /** How many schemas it holds now. */
    public int size() {
        return schemas.size();
    }

    /**
     * Reads the topic from the beginning to its end now and adds every schema it finds.
     *
     * @throws SchemaCatalogUnavailableException when the topic cannot be read within the refresh timeout
     */
    public synchronized void refresh() {
        lastRead = clock.instant();
        try {
            int read = readTopic();
            lastFailure = null;
            log.debug("Schema catalog read {} records of {}, holds {} schemas", read, topic, schemas.size());
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            lastFailure = e;
            throw unavailable(e);
        } catch (KafkaException e) {
            lastFailure = e;
            throw unavailable(e);
        }
    }

    private int readTopic() {
        return TopicSnapshot.read(bootstrapServers, topic, consumerOverrides, refreshTimeout, this::add);
    }

    private void add(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            // A tombstone: every released schema stays readable, so the catalog keeps what it holds.
            return;
        }
        String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        try {
            long fingerprint = HexFormat.fromHexDigitsToLong(requireHex(key));
            Schema schema = new Schema.Parser().parse(new String(record.value(), StandardCharsets.UTF_8));
            long actual = KnownSchemas.fingerprint(schema);
            if (actual != fingerprint) {
                log.warn(
                        "Left out {}-{}@{}: its schema's fingerprint is {}, not its key",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        KnownSchemas.hex(actual));
                return;
            }
            schemas.putIfAbsent(fingerprint, schema);
        } catch (IllegalArgumentException | SchemaParseException e) {
            log.warn(
                    "Left out {}-{}@{}: not a fingerprint and a schema ({})",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getClass().getSimpleName());
        }
    }

    private static String requireHex(String key) {
        if (key.length() != 16) {
            throw new IllegalArgumentException("a fingerprint key has 16 hex digits");
        }
        return key;
    }

    private SchemaCatalogUnavailableException unavailable(KafkaException cause) {
        return new SchemaCatalogUnavailableException(
                "cannot read " + topic + " for a missing schema: " + cause.getMessage(), cause);
    }
}
