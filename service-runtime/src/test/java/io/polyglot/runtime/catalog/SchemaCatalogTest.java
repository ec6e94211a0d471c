package io.polyglot.runtime.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.NewerActivityRecorded;
import io.polyglot.schemas.UnknownSchemaException;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import io.polyglot.testservers.TestEvents;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema catalog against a real Kafka broker on loopback. */
class SchemaCatalogTest {

    @TempDir
    static Path servers;

    private static TestKafka kafka;

    private final String topic = "schemas." + UUID.randomUUID();

    @BeforeAll
    static void startKafka() {
        kafka = TestServers.kafka(servers.resolve("kafka"));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void createTopic() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all()
                    .get();
        }
    }

    @Test
    void decodesAnEventOfANewerWriterSchemaOncePublishedWithEveryFieldInPlace() {
        // given
        ActivityRecorded activity = ActivityRecorded.newBuilder()
                .setActivity("W_Completeren aanvraag")
                .setLifecycle("START")
                .setResource(null)
                .setOccurredAt(Instant.parse("2011-10-01T11:45:13.917Z"))
                .setAttributes(Map.of("AMOUNT_REQ", "5000"))
                .build();
        EventEnvelope newer = TestEvents.event("LoanApplication", "173703", 1);
        newer.setPayload(NewerActivityRecorded.payload(activity, "web"));
        publish(
                NewerActivityRecorded.catalogEntry().getKey(),
                NewerActivityRecorded.catalogEntry().getValue());
        EventCodec codec = EventCodec.withCatalog(catalog(Clock.systemUTC()));

        // when
        EventEnvelope envelope = codec.decode(EventCodec.standard().encode(newer));
        ActivityRecorded decoded = (ActivityRecorded) codec.decodePayload(envelope.getPayload());

        // then
        assertThat(decoded).isEqualTo(activity);
        assertThat(codec.schema(NewerActivityRecorded.fingerprint())).contains(NewerActivityRecorded.SCHEMA);
    }

    @Test
    void callsTheFingerprintUnknownBeforeItIsPublishedAndFindsItAfterTheNextRead() {
        // given
        MovableClock clock = new MovableClock();
        SchemaCatalog catalog = catalog(clock);
        EventCodec codec = EventCodec.withCatalog(catalog);
        var payload = NewerActivityRecorded.payload(activity(), null);

        // then: unknown before publication
        assertThatThrownBy(() -> codec.decodePayload(payload)).isInstanceOf(UnknownSchemaException.class);

        // when it is published, the catalog reads again only after its interval
        publish(
                NewerActivityRecorded.catalogEntry().getKey(),
                NewerActivityRecorded.catalogEntry().getValue());
        assertThat(catalog.findByFingerprint(NewerActivityRecorded.fingerprint()))
                .isNull();
        clock.advance(Duration.ofSeconds(5));

        // then
        assertThat(catalog.findByFingerprint(NewerActivityRecorded.fingerprint()))
                .isEqualTo(NewerActivityRecorded.SCHEMA);
    }

    @Test
    void leavesGarbageInTheTopicOutAndKeepsEveryValidSchema() {
        // given
        publish("not-a-fingerprint", "{}");
        publish("00000000000000ff", "this is not JSON");
        publish(KnownSchemas.hex(42L), NewerActivityRecorded.SCHEMA.toString());
        publish("", "an empty key");
        publish(
                NewerActivityRecorded.catalogEntry().getKey(),
                NewerActivityRecorded.catalogEntry().getValue());
        SchemaCatalog catalog = catalog(Clock.systemUTC());

        // when
        catalog.refresh();

        // then
        assertThat(catalog.size()).isEqualTo(1);
        assertThat(catalog.cached(NewerActivityRecorded.fingerprint())).contains(NewerActivityRecorded.SCHEMA);
        assertThat(catalog.findByFingerprint(42L)).isNull();
    }

    @Test
    void failsWithARetriableExceptionWhenTheTopicCannotBeRead() {
        // given a catalog of a broker address nothing listens on
        SchemaCatalog catalog = new SchemaCatalog(
                "127.0.0.1:" + io.polyglot.stack.FreePorts.pick(),
                topic,
                Map.of(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                Clock.systemUTC());

        // then, and again within the interval, without reading
        assertThatThrownBy(() -> catalog.findByFingerprint(7L)).isInstanceOf(SchemaCatalogUnavailableException.class);
        assertThatThrownBy(() -> catalog.findByFingerprint(7L)).isInstanceOf(SchemaCatalogUnavailableException.class);
    }

    private static ActivityRecorded activity() {
        return ActivityRecorded.newBuilder()
                .setActivity("A_SUBMITTED")
                .setOccurredAt(Instant.parse("2011-10-01T00:38:44.546Z"))
                .setAttributes(Map.of())
                .build();
    }

    private SchemaCatalog catalog(Clock clock) {
        return new SchemaCatalog(
                kafka.bootstrapServers(), topic, Map.of(), Duration.ofSeconds(20), Duration.ofSeconds(5), clock);
    }

    private void publish(String key, String value) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(
                            topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish to " + topic, e);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(
                KafkaClientConfig.producer(kafka.bootstrapServers(), Limits.DEFAULT_COMMAND_MAX_BYTES, Map.of()));
    }

    /** A clock the test moves by hand. */
    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-03-01T08:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
