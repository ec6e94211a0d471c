package io.polyglot.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreConfig;
import io.polyglot.archive.store.ArchiveVerifier;
import io.polyglot.archive.store.SegmentContents;
import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentKey;
import io.polyglot.archive.store.VerificationReport;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.runtime.deadletter.DeadLetter;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.NewerActivityRecorded;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import io.polyglot.testservers.TestEvents;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestS3;
import io.polyglot.testservers.TestServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archiver's dead letters and newer writer schemas, against a real Kafka broker and a real S3Proxy. */
class ArchiverDeadLetterTest {

    private static final Duration IDLE = Duration.ofSeconds(5);
    private static final String KEY = "P-1";

    @TempDir
    static Path servers;

    private static TestKafka kafka;
    private static TestS3 s3;
    private static Admin admin;

    @TempDir
    Path warmDir;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-03-01T08:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final String topic = "events.all." + UUID.randomUUID();
    private final String dlqTopic = "events.dlq." + UUID.randomUUID();
    private final String schemasTopic = "schemas." + UUID.randomUUID();
    private final String group = "polyglot-archiver-" + UUID.randomUUID();
    private final TopicPartition partition = new TopicPartition(topic, 0);
    private final List<Long> good = new ArrayList<>();
    private ArchiveStore store;
    private ArchiverSettings settings;

    @BeforeAll
    static void startServers() {
        kafka = TestServers.kafka(servers.resolve("kafka"));
        s3 = TestServers.s3(servers.resolve("s3"));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterAll
    static void stopServers() {
        if (admin != null) {
            admin.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void createTopicsAndBucket() throws Exception {
        admin.createTopics(List.of(
                        new NewTopic(topic, 1, (short) 1),
                        new NewTopic(dlqTopic, 2, (short) 1),
                        new NewTopic(schemasTopic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                .all()
                .get();
        ArchiveStoreConfig storeConfig = new ArchiveStoreConfig(
                URI.create(s3.endpoint()),
                "archive-" + UUID.randomUUID(),
                s3.region(),
                s3.accessKey(),
                s3.secretKey(),
                false);
        settings = new ArchiverSettings(
                        kafka.bootstrapServers(),
                        topic,
                        group,
                        Map.of(),
                        storeConfig,
                        warmDir,
                        1024L * 1024 * 1024,
                        100,
                        IDLE,
                        64L * 1024 * 1024,
                        "127.0.0.1",
                        0)
                .withTopics(dlqTopic, schemasTopic);
        store = new ArchiveStore(storeConfig);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void sendsEachHostileRecordToTheDeadLettersOnceAndCommitsPastIt() throws Exception {
        // given every kind of hostile record, each between good ones, on one partition
        produceGood(0);
        Map<Long, String> hostile = new java.util.LinkedHashMap<>();
        hostile.put(produce(null, headers("Loan")), "no-value");
        produceGood(1);
        hostile.put(produce(new byte[] {1, 2, 3}, headers("Loan")), "undecodable");
        produceGood(2);
        hostile.put(produce(withPayloadFingerprint(event(3), 0x1234L), headers("Loan")), "unknown-schema");
        produceGood(4);
        hostile.put(produce(withBrokenPayloadBody(event(5)), headers("Loan")), "invalid-payload");
        produceGood(6);
        EventEnvelope badType = event(7);
        badType.setAggregateType("loan/../x");
        hostile.put(produce(EventCodec.standard().encode(badType), headers("loan/../x")), "invalid-aggregate-type");
        produceGood(8);
        hostile.put(produce(EventCodec.standard().encode(event(9)), headers("Ticket")), "header-mismatch");
        produceGood(10);

        // when
        try (ArchiverWorker worker = ArchiverWorker.start(settings, registry, clock)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters().size() == hostile.size());
            clock.advance(IDLE);

            // then
            await().atMost(Duration.ofSeconds(60)).until(() -> committed() == endOffset());
            assertThat(worker.ready()).isTrue();
        }
        List<DeadLetter> letters = deadLetters();
        assertThat(letters).extracting(letter -> letter.source().offset()).containsExactlyElementsOf(hostile.keySet());
        assertThat(letters).allSatisfy(letter -> {
            assertThat(letter.group()).isEqualTo(group);
            assertThat(letter.source().topic()).isEqualTo(topic);
            assertThat(letter.attempts()).isEqualTo(1);
            assertThat(letter.key()).isEqualTo(KEY.getBytes(StandardCharsets.UTF_8));
            assertThat(letter.errorMessage()).isNotBlank();
        });
        assertThat(new DeadLetterReader(kafka.bootstrapServers(), dlqTopic, Duration.ofSeconds(30), Map.of()).readAll())
                .hasSize(hostile.size());
        hostile.values()
                .forEach(reason -> assertThat(registry.get("polyglot.dead.letters")
                                .tag("group", group)
                                .tag("reason", reason)
                                .counter()
                                .count())
                        .as(reason)
                        .isEqualTo(1.0));
        assertThat(archivedOffsets()).containsExactlyElementsOf(good);
        assertThat(new ArchiveVerifier(store, 100).verify().problems()).isEmpty();
    }

    @Test
    void sendsNoSecondDeadLetterWhenANewInstanceReadsTheRecordAgainBeforeTheCommit() throws Exception {
        // given a first instance that dead-lettered a record
        produceGood(0);
        long garbage = produce(new byte[] {9, 9}, headers("Loan"));
        produceGood(1);
        try (ArchiverWorker first = ArchiverWorker.start(settings, registry, clock)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters().size() == 1);
        }
        // and whose commit never happened, as after a crash between the dead letter and the commit
        admin.alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(0)))
                .all()
                .get();

        // when a new instance of the group reads the record again
        SimpleMeterRegistry secondRegistry = new SimpleMeterRegistry();
        try (ArchiverWorker second = ArchiverWorker.start(settings, secondRegistry, clock)) {
            clock.advance(IDLE);
            await().atMost(Duration.ofSeconds(60)).until(() -> committed() == endOffset());

            // then
            assertThat(secondRegistry.find("polyglot.dead.letters").counter()).isNull();
        }
        assertThat(new DeadLetterReader(kafka.bootstrapServers(), dlqTopic, Duration.ofSeconds(30), Map.of()).readAll())
                .singleElement()
                .satisfies(letter -> assertThat(letter.source().offset()).isEqualTo(garbage));
        assertThat(archivedOffsets()).containsExactlyElementsOf(good);
    }

    @Test
    void commitsNothingPastARecordWhoseDeadLetterKafkaRefusesAndSendsItOnceKafkaTakesIt() throws Exception {
        // given a dead-letter topic that refuses every record, as a broker refuses one too large for it
        setDeadLetterTopicMaxBytes("64");
        produceGood(0);
        long garbage = produce(new byte[] {7, 7, 7}, headers("Loan"));
        produceGood(1);

        try (ArchiverWorker worker = ArchiverWorker.start(settings, registry, clock)) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> registry.find("polyglot.dead.letter.failures").counter() != null);
            clock.advance(IDLE);

            // then the good event before it is stored and committed, nothing after it
            await().atMost(Duration.ofSeconds(60)).until(() -> committed() == garbage);
            assertThat(deadLetters()).isEmpty();

            // when Kafka takes dead letters again
            setDeadLetterTopicMaxBytes("1048576");

            // then the next attempt, after its pause, sends it and commits move past it
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        clock.advance(Duration.ofSeconds(1));
                        return committed() == endOffset();
                    });
        }
        assertThat(deadLetters()).extracting(letter -> letter.source().offset()).containsExactly(garbage);
        assertThat(archivedOffsets()).containsExactlyElementsOf(good);
    }

    @Test
    void archivesAnEventOfANewerWriterSchemaWithThatSchemaInItsSegment() throws Exception {
        // given the newer schema in the catalog and an event written with it between old ones
        publishSchema(NewerActivityRecorded.catalogEntry());
        produceGood(0);
        ActivityRecorded activity = (ActivityRecorded) EventCodec.standard().decodePayload(event(1).getPayload());
        EventEnvelope newer = event(1);
        newer.setPayload(NewerActivityRecorded.payload(activity, "web"));
        good.add(produce(EventCodec.standard().encode(newer), headers("Loan")));
        produceGood(2);

        // when
        try (ArchiverWorker worker = ArchiverWorker.start(settings, registry, clock)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> openEvents() == 3);
            clock.advance(IDLE);
            await().atMost(Duration.ofSeconds(60)).until(() -> committed() == endOffset());
        }

        // then
        assertThat(deadLetters()).isEmpty();
        List<SegmentContents> segments = segments();
        assertThat(segments).singleElement().satisfies(segment -> {
            assertThat(segment.offsets()).containsExactlyElementsOf(good);
            assertThat(segment.payloadSchemas())
                    .containsEntry(NewerActivityRecorded.fingerprint(), NewerActivityRecorded.SCHEMA)
                    .containsEntry(
                            KnownSchemas.fingerprint(ActivityRecorded.getClassSchema()),
                            ActivityRecorded.getClassSchema());
        });
        VerificationReport report = new ArchiveVerifier(store, 100).verify();
        assertThat(report.problems()).isEmpty();
        assertThat(report.events()).isEqualTo(3);
    }

    private EventEnvelope event(int n) {
        return TestEvents.event("Loan", KEY, n);
    }

    private void produceGood(int n) throws Exception {
        good.add(produce(EventCodec.standard().encode(event(n)), headers("Loan")));
    }

    private static RecordHeaders headers(String aggregateType) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.HEADER_AGGREGATE_TYPE, aggregateType.getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.HEADER_EVENT_TYPE, "ActivityRecorded".getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private long produce(byte[] value, RecordHeaders headers) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            return producer.send(
                            new ProducerRecord<>(topic, 0, null, KEY.getBytes(StandardCharsets.UTF_8), value, headers))
                    .get()
                    .offset();
        }
    }

    private void publishSchema(Map.Entry<String, String> entry) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(
                            schemasTopic,
                            entry.getKey().getBytes(StandardCharsets.UTF_8),
                            entry.getValue().getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(
                KafkaClientConfig.producer(kafka.bootstrapServers(), Limits.DEFAULT_COMMAND_MAX_BYTES, Map.of()));
    }

    /** The envelope with its payload's fingerprint replaced by one no schema has. */
    private static byte[] withPayloadFingerprint(EventEnvelope event, long fingerprint) {
        ByteBuffer payload = copy(event.getPayload());
        payload.duplicate().order(ByteOrder.LITTLE_ENDIAN).putLong(2, fingerprint);
        event.setPayload(payload);
        return EventCodec.standard().encode(event);
    }

    /** The envelope with a payload that names the build's schema but whose body is cut short. */
    private static byte[] withBrokenPayloadBody(EventEnvelope event) {
        ByteBuffer payload = copy(event.getPayload());
        byte[] bytes = new byte[EventCodec.HEADER_LENGTH + 1];
        payload.get(bytes, 0, EventCodec.HEADER_LENGTH);
        bytes[EventCodec.HEADER_LENGTH] = (byte) 0x7F;
        event.setPayload(ByteBuffer.wrap(bytes));
        return EventCodec.standard().encode(event);
    }

    private static ByteBuffer copy(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return ByteBuffer.wrap(bytes);
    }

    private void setDeadLetterTopicMaxBytes(String bytes) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, dlqTopic);
        Collection<AlterConfigOp> ops =
                List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", bytes), AlterConfigOp.OpType.SET));
        admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get();
    }

    private List<DeadLetter> deadLetters() {
        return new DeadLetterReader(kafka.bootstrapServers(), dlqTopic, Duration.ofSeconds(30), Map.of()).read(group);
    }

    private long committed() throws Exception {
        OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get()
                .get(partition);
        return offset == null ? -1 : offset.offset();
    }

    private long endOffset() throws Exception {
        return admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
                .all()
                .get()
                .get(partition)
                .offset();
    }

    private double openEvents() {
        var gauge = registry.find("polyglot.archiver.open.events").gauge();
        return gauge == null ? 0 : gauge.value();
    }

    private List<SegmentContents> segments() {
        return store.list(SegmentKey.EVENTS_PREFIX).stream()
                .filter(key -> key.endsWith(".avro"))
                .map(key -> {
                    try (InputStream in = store.get(key)) {
                        return SegmentFormat.read(in);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .toList();
    }

    private List<Long> archivedOffsets() {
        return segments().stream()
                .flatMap(segment -> segment.offsets().stream())
                .sorted()
                .toList();
    }
}
