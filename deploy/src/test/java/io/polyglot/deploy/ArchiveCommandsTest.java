package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchivedEvent;
import io.polyglot.archive.store.ManifestPart;
import io.polyglot.archive.store.SegmentChecksum;
import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentKey;
import io.polyglot.archive.store.SegmentMetadata;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.EventEnvelope;
import io.polyglot.testservers.TestEvents;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code ./polyglot archive verify} and {@code archive cat} against the real servers of a stack (Kafka, PostgreSQL,
 * S3Proxy on loopback; the services are not built here, so only the servers run): eight events produced to
 * {@code events.all} and archived by the test the way the archiver lays them out, then damaged through the S3 API
 * and put right again by each test that damages them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveCommandsTest {

    private static final String P0_LOAN = "events/Loan/p000/00000000000000000000.avro";
    private static final String P1_LOAN_SECOND = "events/Loan/p001/00000000000000000002.avro";

    @TempDir
    static Path home;

    @TempDir
    static Path unbuiltRepository;

    @TempDir
    static Path work;

    private PolyglotStack stack;
    private Map<String, String> env;
    private final Map<String, Segment> segments = new TreeMap<>();

    @BeforeAll
    void startTheServersAndArchiveEightEvents() throws Exception {
        stack = PolyglotStack.at(home, unbuiltRepository);
        // up stops at the first service jar, which this repository does not have, once the servers, topics and
        // bucket are there: all that the archive commands use.
        assertThat(catchThrowable(stack::up)).hasMessageContaining("is missing");
        env = stack.env();
        Map<Integer, List<ArchivedEvent>> partitions = new TreeMap<>();
        partitions.put(0, produce(0, "Loan", "Ticket", "Loan", "Ticket", "Loan"));
        partitions.put(1, produce(1, "Loan", "Loan", "Loan"));
        try (ArchiveStore store = ArchiveVerification.store(env)) {
            archive(store, 0, "Loan", partitions.get(0), 0);
            archive(store, 0, "Ticket", partitions.get(0), 0);
            archive(store, 1, "Loan", partitions.get(1).subList(0, 2), 0);
            archive(store, 1, "Loan", partitions.get(1).subList(2, 3), 1);
        }
    }

    @AfterAll
    void stopTheServers() {
        if (stack != null) {
            stack.down(true);
        }
    }

    @Test
    void verifiesASoundArchiveWithExitZeroAndCountsItsSegmentsAndEvents() {
        // when
        CliRun run = polyglot("archive", "verify");

        // then
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out())
                .containsPattern("Loan\\s+3\\s+6\\s+\\d+")
                .containsPattern("Ticket\\s+1\\s+2\\s+\\d+")
                .containsPattern("total\\s+4\\s+8\\s+\\d+")
                .contains("4 manifest parts; 0 segments after the last part")
                .contains("8 events of events.all checked against the archive")
                .contains("0 dead letters of the archiver in events.dlq: 0 pending, 0 retried (0 late segments), 0"
                        + " skipped")
                .contains("Result stored as verifications/")
                .contains("Sound:");
    }

    @Test
    void printsTheWholeResultAsJsonAndStoresTheSameUnderVerifications() throws Exception {
        // when
        CliRun run = polyglot("archive", "verify", "--json");

        // then
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode printed = new ObjectMapper().readTree(run.out());
        assertThat(printed.get("sound").asBoolean()).isTrue();
        assertThat(printed.get("events").asLong()).isEqualTo(8);
        assertThat(printed.get("committedEventsChecked").asLong()).isEqualTo(8);
        assertThat(printed.at("/byAggregateType/Ticket/segments").asLong()).isEqualTo(1);
        assertThat(printed.at("/deadLetters/total").asLong()).isZero();
        assertThat(printed.get("lateSegments").asLong()).isZero();
        String storedAs = printed.get("storedAs").asText();
        assertThat(storedAs).matches("verifications/\\d{8}T\\d{6}\\.\\d{3}Z(-\\d+)?\\.json");
        try (ArchiveStore store = ArchiveVerification.store(env);
                InputStream in = store.get(storedAs)) {
            JsonNode stored = new ObjectMapper().readTree(in);
            assertThat(stored.get("checkedAt")).isEqualTo(printed.get("checkedAt"));
            assertThat(stored.get("problems")).isEqualTo(printed.get("problems"));
        }
    }

    @Test
    void findsASegmentWhoseBytesWereReplacedUnderTheSameKeyAndExitsOne() throws Exception {
        // given: the segment deleted and put again with other events, keeping its metadata
        Segment original = segments.get(P0_LOAN);
        Segment other = segment(
                SegmentKey.parse(P0_LOAN).orElseThrow(),
                original.events().stream()
                        .map(e -> new ArchivedEvent(e.offset(), TestEvents.event("Loan", "forged", (int) e.offset())))
                        .toList());
        try (S3Client raw = rawClient()) {
            raw.deleteObject(b -> b.bucket(PolyglotStack.BUCKET).key(P0_LOAN));
            raw.putObject(
                    b -> b.bucket(PolyglotStack.BUCKET)
                            .key(P0_LOAN)
                            .metadata(original.meta().toUserMetadata()),
                    RequestBody.fromFile(other.file()));

            // when
            CliRun run = polyglot("archive", "verify");
            CliRun cat = polyglot("archive", "cat", P0_LOAN);

            // then
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.out())
                    .contains(P0_LOAN + " has SHA-256 " + other.meta().sha256() + " but its metadata records "
                            + original.meta().sha256());
            assertThat(cat.exitCode()).as(cat.toString()).isEqualTo(1);
            assertThat(cat.err())
                    .contains(P0_LOAN + " has SHA-256 " + other.meta().sha256());
        } finally {
            restore(original);
        }
    }

    @Test
    void findsACommittedOffsetThatNoSegmentHoldsAndExitsOne() throws Exception {
        // given
        Segment second = segments.get(P1_LOAN_SECOND);
        try (S3Client raw = rawClient()) {
            raw.deleteObject(b -> b.bucket(PolyglotStack.BUCKET).key(P1_LOAN_SECOND));

            // when
            CliRun run = polyglot("archive", "verify");

            // then
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.out())
                    .contains("events.all partition 1: 1 events of Loan are in no segment, at offsets 2.")
                    .contains("manifests/Loan/p001/0000000001.json lists " + P1_LOAN_SECOND + ", which is not stored");
        } finally {
            restore(second);
        }
    }

    @Test
    void findsACommittedOffsetThatTwoSegmentsHoldAndExitsOne() throws Exception {
        // given: a Ticket segment claiming the Loan event at offset 4 of partition 0
        Segment doubled = segment(
                SegmentKey.of("Ticket", 0, 4), List.of(new ArchivedEvent(4, TestEvents.event("Ticket", "T9", 4))));
        try (ArchiveStore store = ArchiveVerification.store(env)) {
            store.putIfAbsent(doubled.key().value(), doubled.file(), doubled.meta());

            // when
            CliRun run = polyglot("archive", "verify");

            // then
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.out())
                    .contains("Offsets 4 of partition 0 are in two segments: " + P0_LOAN + " and "
                            + doubled.key().value());
        } finally {
            try (S3Client raw = rawClient()) {
                raw.deleteObject(
                        b -> b.bucket(PolyglotStack.BUCKET).key(doubled.key().value()));
            }
        }
    }

    @Test
    void listsTheKeyOfEveryStoredSegmentInKeyOrderAndNothingElse() {
        // when
        CliRun all = polyglot("archive", "ls");
        CliRun tickets = polyglot("archive", "ls", "Ticket");

        // then: manifests, the chain index and stored verifications are not segments
        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(all.out().lines()).containsExactlyElementsOf(segments.keySet());
        assertThat(tickets.exitCode()).as(tickets.toString()).isZero();
        assertThat(tickets.out().lines())
                .containsExactlyElementsOf(segments.keySet().stream()
                        .filter(key -> key.startsWith("events/Ticket/"))
                        .toList())
                .hasSize(1);
    }

    @Test
    void refusesToListATypeThatBreaksTheNameRulesWithExitTwo() {
        // when
        CliRun run = polyglot("archive", "ls", "../Loan");

        // then
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("is not an aggregate type");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void printsEachEventOfASegmentAsAJsonLineWithItsPayloadDecoded() throws Exception {
        // when
        CliRun run = polyglot("archive", "cat", P0_LOAN);

        // then
        assertThat(run.exitCode()).as(run.toString()).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.out().split("\n")) {
            lines.add(new ObjectMapper().readTree(line));
        }
        List<ArchivedEvent> archived = segments.get(P0_LOAN).events();
        assertThat(lines).hasSize(3);
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            EventEnvelope event = archived.get(i).envelope();
            assertThat(line.get("offset").asLong()).isEqualTo(archived.get(i).offset());
            assertThat(line.get("eventId").asText()).isEqualTo(event.getEventId());
            assertThat(line.get("aggregateId").asText()).isEqualTo(event.getAggregateId());
            assertThat(line.get("occurredAt").asText())
                    .isEqualTo(event.getOccurredAt().toString());
            assertThat(line.get("payloadSchema").asText()).endsWith("ActivityRecorded");
            assertThat(line.at("/payload/activity").asText()).isEqualTo("A_SUBMITTED");
            assertThat(line.at("/payload/attributes/amount").asText())
                    .isEqualTo(Long.toString(1000 + archived.get(i).offset()));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "../events/Loan/p000/00000000000000000000.avro",
                "/events/Loan/p000/00000000000000000000.avro",
                "events/../manifests/Loan/p000/0000000000.json",
                "events/Loan/../../verifications/00000000000000000000.avro",
                "events/Loan/p000/../00000000000000000000.avro",
                "events/./Loan/p000/00000000000000000000.avro",
                "events/Lo\\an/p000/00000000000000000000.avro",
                "events/Loan/p000/00000000000000000000.avro/..",
                "manifests/Loan/p000/0000000000.json",
                "index/p000/Loan",
                "verifications/20261204T124000.123Z.json",
                "events/Loan/p000/00000000000000000000.avro-3f1c2a9e-6a51-4f7e-9d59-0c4b6d1a2e77",
                "events/Loan/p0/0.avro",
                ""
            })
    void refusesAKeyThatIsNotASegmentKeyInsideEventsWithExitTwo(String hostile) {
        // when
        CliRun run = polyglot("archive", "cat", hostile);

        // then
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("is not a segment key").contains("inside events/");
    }

    @Test
    void saysItCouldNotRunAndExitsTwoWhenTheStackWasNeverStarted(@TempDir Path elsewhere) {
        // when
        CliRun run = CliRun.of(elsewhere, unbuiltRepository, "archive", "verify");

        // then
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("archive verify could not run").contains("never started");
    }

    private List<ArchivedEvent> produce(int partition, String... types) throws Exception {
        List<ArchivedEvent> events = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientConfig.producer(
                        env.get("KAFKA_BOOTSTRAP_SERVERS"), Limits.DEFAULT_COMMAND_MAX_BYTES, Map.of()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (String type : types) {
                int n = partition * 10 + events.size();
                EventEnvelope event = TestEvents.event(type, type.charAt(0) + "-" + partition, n);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                        Topics.EVENTS_ALL,
                        partition,
                        event.getAggregateId().getBytes(StandardCharsets.UTF_8),
                        TestEvents.encoded(event));
                record.headers().add(Topics.HEADER_AGGREGATE_TYPE, type.getBytes(StandardCharsets.UTF_8));
                long offset = producer.send(record).get().offset();
                events.add(new ArchivedEvent(offset, TestEvents.event(type, event.getAggregateId(), (int) offset)));
            }
        }
        return events;
    }

    /**
     * Stores the events of {@code type} among {@code events} as one segment and manifest part {@code part}, whose
     * empty ranges are the offsets of other types' events before the segment's last.
     */
    private void archive(ArchiveStore store, int partition, String type, List<ArchivedEvent> events, long part)
            throws Exception {
        List<ArchivedEvent> ofType = events.stream()
                .filter(e -> e.envelope().getAggregateType().equals(type))
                .toList();
        Segment segment = segment(SegmentKey.of(type, partition, ofType.get(0).offset()), ofType);
        store.putIfAbsent(segment.key().value(), segment.file(), segment.meta());
        segments.put(segment.key().value(), segment);
        List<ManifestPart.OffsetRange> empty = new ArrayList<>();
        long last = ofType.get(ofType.size() - 1).offset();
        for (ArchivedEvent event : events) {
            if (!event.envelope().getAggregateType().equals(type) && event.offset() < last) {
                empty.add(new ManifestPart.OffsetRange(event.offset(), event.offset()));
            }
        }
        ManifestPart.Entry entry = new ManifestPart.Entry(
                segment.key().value(),
                segment.meta().firstOffset(),
                segment.meta().lastOffset(),
                segment.meta().eventCount(),
                ofType.get(0).envelope().getOccurredAt().toString(),
                ofType.get(ofType.size() - 1).envelope().getOccurredAt().toString(),
                segment.meta().sha256());
        store.putManifestIfAbsent(new ManifestPart(type, partition, part, List.of(entry), empty));
    }

    private Segment segment(SegmentKey key, List<ArchivedEvent> events) throws Exception {
        Path file = Files.createTempFile(work, "segment-", ".avro");
        try (OutputStream out = Files.newOutputStream(file)) {
            SegmentFormat.write(key, Topics.EVENTS_ALL, events, out);
        }
        SegmentMetadata meta = new SegmentMetadata(
                SegmentChecksum.sha256Hex(file),
                events.get(0).offset(),
                events.get(events.size() - 1).offset(),
                events.size(),
                KnownSchemas.fingerprint(KnownSchemas.envelope()));
        return new Segment(key, file, meta, events);
    }

    /** Puts {@code segment} back as it was archived, after a test damaged or deleted it. */
    private void restore(Segment segment) {
        try (S3Client raw = rawClient();
                ArchiveStore store = ArchiveVerification.store(env)) {
            raw.deleteObject(
                    b -> b.bucket(PolyglotStack.BUCKET).key(segment.key().value()));
            store.putIfAbsent(segment.key().value(), segment.file(), segment.meta());
        }
    }

    /**
     * A plain S3 client that deletes and writes without {@code If-None-Match}, as a careless tool would: the archive
     * store never does either, so only such a client can damage a segment for the verifier to find.
     */
    private S3Client rawClient() {
        return S3Client.builder()
                .endpointOverride(URI.create(env.get("S3_ENDPOINT")))
                .region(Region.of(env.get("S3_REGION")))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"))))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder())
                .build();
    }

    private CliRun polyglot(String... args) {
        return CliRun.of(home, unbuiltRepository, args);
    }

    private record Segment(SegmentKey key, Path file, SegmentMetadata meta, List<ArchivedEvent> events) {}
}
