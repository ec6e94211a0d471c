package io.polyglot.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreConfig;
import io.polyglot.archive.store.ArchiveVerifier;
import io.polyglot.archive.store.ArchivedEvent;
import io.polyglot.archive.store.KeyPaths;
import io.polyglot.archive.store.ManifestPart;
import io.polyglot.archive.store.SegmentContents;
import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentKey;
import io.polyglot.archive.store.SegmentMetadata;
import io.polyglot.archive.store.VerificationReport;
import io.polyglot.runtime.InvalidSettingException;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.Names;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.EventEnvelope;
import io.polyglot.stack.S3Server;
import io.polyglot.testservers.StallingRelay;
import io.polyglot.testservers.TestEvents;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestS3;
import io.polyglot.testservers.TestServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The archiver against a real Kafka broker and a real S3Proxy, both on loopback. */
class ArchiverWorkerTest {

    private static final Duration IDLE = Duration.ofSeconds(5);
    private static final int PARTITIONS = 3;
    private static final long BUFFER_MAX_BYTES = 64L * 1024 * 1024;
    private static final long WARM_MAX_BYTES = 1024L * 1024 * 1024;
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    static Path servers;

    private static TestKafka kafka;
    private static TestS3 s3;
    private static Admin admin;

    @TempDir
    Path warmDir;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-03-01T08:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private String topic = "events.all." + UUID.randomUUID();
    private String group = "polyglot-archiver-" + UUID.randomUUID();
    private ArchiveStore store;
    private ArchiverSettings settings;
    private final Map<String, TopicPartitionOffset> produced = new HashMap<>();

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
    void createTopicAndBucket() throws ExecutionException, InterruptedException {
        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)))
                .all()
                .get();
        ArchiveStoreConfig storeConfig = freshBucket(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey());
        settings = settingsWith(Map.of("max.poll.records", "50"), storeConfig, 100, IDLE, BUFFER_MAX_BYTES);
        store = new ArchiveStore(storeConfig);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void archivesEveryEventExactlyOnceAndNeverCommitsAheadOfStorage() throws Exception {
        // given
        produce("Loan", "L-1", 100);
        produce("Loan", "L-2", 100);
        produce("Ticket", "T-1", 50);
        List<String> violations = new ArrayList<>();

        // when
        try (ArchiverWorker worker = ArchiverWorker.start(settings, registry, clock)) {
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        violations.addAll(committedAheadOfStorage());
                        return archivedEventIds().size() == 200 && openEvents() == 50;
                    });
            assertThat(storedKeys()).noneMatch(key -> key.contains("/Ticket/"));

            clock.advance(IDLE);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        violations.addAll(committedAheadOfStorage());
                        return committed().equals(endOffsets());
                    });

            // then
            assertThat(worker.ready()).isTrue();
        }
        assertThat(violations).isEmpty();
        List<String> archived = archivedEventIds();
        assertThat(archived).hasSize(250).doesNotHaveDuplicates();
        assertThat(Set.copyOf(archived)).isEqualTo(produced.keySet());
        VerificationReport report = new ArchiveVerifier(store, 100).verify();
        assertThat(report.problems()).isEmpty();
        assertThat(report.eventsByAggregateType()).isEqualTo(Map.of("Loan", 200L, "Ticket", 50L));
        assertThat(storedKeys())
                .allSatisfy(key ->
                        assertThat(Files.readAllBytes(warmDir.resolve(key))).isEqualTo(bytesOf(key)));
        assertThat(registry.get("polyglot.events.archived")
                        .tag("aggregate_type", "Loan")
                        .counter()
                        .count())
                .isEqualTo(200.0);
    }

    @Test
    void fetchesEventsThatTrickleInInBulkRatherThanOneFetchAnEvent() throws Exception {
        // given: a worker that has read the one event there is
        produce("Loan", "L-trickle", 1);
        try (ArchiverWorker worker = ArchiverWorker.start(settings, registry, clock);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClientConfig.producer(
                        kafka.bootstrapServers(), Limits.DEFAULT_COMMAND_MAX_BYTES, Map.of()))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> openEvents() == 1);
            double before = fetches();

            // when: 40 more events, one every 25 ms, each acknowledged before the next is sent
            for (int n = 1; n <= 40; n++) {
                EventEnvelope event = TestEvents.event("Loan", "L-trickle", n);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                        topic, "L-trickle".getBytes(StandardCharsets.UTF_8), TestEvents.encoded(event));
                record.headers().add(Topics.HEADER_AGGREGATE_TYPE, "Loan".getBytes(StandardCharsets.UTF_8));
                record.headers().add(Topics.HEADER_EVENT_TYPE, event.getType().getBytes(StandardCharsets.UTF_8));
                producer.send(record).get();
                Thread.sleep(25);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> openEvents() == 41);

            // then: a fetch waits for a quarter of a MiB or fetch.max.wait.ms (500 ms), so the second or so of the
            // trickle takes a few fetches, where answering a fetch with whatever came took about one an event
            assertThat(fetches() - before).isLessThan(15);
        }
    }

    @Test
    void fetchesAQuarterOfAMibAtLeastUnlessTheOperatorSetsItsOwnMinimum() {
        // when
        Map<String, Object> defaults = ArchiverWorker.withBulkFetches(Map.of("max.poll.records", "200"));
        Map<String, Object> own = ArchiverWorker.withBulkFetches(Map.of("fetch.min.bytes", "1"));

        // then
        assertThat(defaults).containsOnly(Map.entry("max.poll.records", "200"), Map.entry("fetch.min.bytes", 262_144));
        assertThat(own).containsOnly(Map.entry("fetch.min.bytes", "1"));
    }

    @Test
    void sealsAnIdlePartialSegmentOnlyOnceTheIdleTimeHasPassed() throws Exception {
        // given
        produce("Ticket", "T-9", 3);

        try (ArchiverWorker worker = ArchiverWorker.start(settings, registry, clock)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> openEvents() == 3);

            // when
            clock.advance(IDLE.minusMillis(1));
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> storedKeys().isEmpty());
            clock.advance(Duration.ofMillis(1));

            // then
            await().atMost(Duration.ofSeconds(30)).until(() -> storedKeys().size() == 1);
            assertThat(archivedEventIds()).hasSize(3);
            await().atMost(Duration.ofSeconds(30)).until(() -> committed().equals(endOffsets()));
        }
    }

    @Test
    void sealsAndStoresTheOpenBufferAtShutdownWithoutCommittingItAndTheNextStartSkipsIt() throws Exception {
        // given a full segment stored and 50 events in the open segment after it
        ArchiverWorker first = startHoldingFiftyAfterAFullSegment();
        int partition = onlyPartition();

        // when the last instance stops
        first.close();

        // then the 50 are sealed and stored before it exited, and the committed offset stays at their start
        assertThat(committed()).containsEntry(partition, 100L);
        String buffer = SegmentKey.of("Loan", partition, 100).value();
        assertThat(storedKeys())
                .containsExactly(SegmentKey.of("Loan", partition, 0).value(), buffer);
        assertThat(contentsOf(buffer).offsets()).hasSize(50).startsWith(100L).endsWith(149L);
        SimpleMeterRegistry nextRegistry = new SimpleMeterRegistry();
        try (ArchiverWorker next = ArchiverWorker.start(settings, nextRegistry, clock)) {
            awaitAllCommittedWhileReady(next);
            assertThat(openEvents(nextRegistry)).isZero();
        }
        assertThat(storedKeys()).hasSize(2);
        assertStoredOnceEach(150);
    }

    @Test
    void sealsTheOpenBufferOnRevocationWithoutCommittingItAndTheNextOwnerSkipsIt() throws Exception {
        // given a full segment stored and 50 events in the open segment after it
        ArchiverSettings archiver = settingsWith(
                Map.of("max.poll.records", "50", "client.id", "m-archiver"),
                settings.store(),
                100,
                IDLE,
                BUFFER_MAX_BYTES);
        produce("Loan", "L-7", 150);
        int partition = onlyPartition();
        TopicPartition buffered = new TopicPartition(topic, partition);
        String buffer = SegmentKey.of("Loan", partition, 100).value();
        try (ArchiverWorker first = ArchiverWorker.start(archiver, registry, clock)) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> openEvents() == 50 && committed().containsValue(100L));

            // when a member of the group that never commits joins and is given that partition (the range assignor
            // gives the first two partitions to the member whose id sorts first)
            String joinerId = partition == PARTITIONS - 1 ? "z-joiner" : "a-joiner";
            try (KafkaConsumer<byte[], byte[]> joiner = new KafkaConsumer<>(
                    KafkaClientConfig.consumer(kafka.bootstrapServers(), group, Map.of("client.id", joinerId)))) {
                joiner.subscribe(List.of(topic));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    joiner.poll(Duration.ofMillis(100));
                    return joiner.assignment().contains(buffered);
                });

                // then the first instance sealed and stored the 50 before letting them go and committed none of them
                assertThat(storedKeys())
                        .containsExactly(SegmentKey.of("Loan", partition, 0).value(), buffer);
                assertThat(contentsOf(buffer).offsets())
                        .hasSize(50)
                        .startsWith(100L)
                        .endsWith(149L);
                await().during(Duration.ofSeconds(2))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> {
                            joiner.poll(Duration.ofMillis(100));
                            return Long.valueOf(100).equals(committed().get(partition));
                        });
            }

            // and once the joiner leaves, the first instance takes the partition back and skips what is stored
            awaitAllCommittedWhileReady(first);
        }
        assertThat(storedKeys()).hasSize(2);
        assertStoredOnceEach(150);
    }

    @Test
    void handsARevokedPartitionOverWithinTheReleaseTimeoutWhenStorageHangs() throws Exception {
        // given an instance holding 50 open events after a full segment, its store behind a relay that then hangs
        try (StallingRelay relay = StallingRelay.start(URI.create(s3.endpoint()).getPort())) {
            try (ArchiverWorker first =
                    startHoldingFiftyBehind(relay, Map.of("max.poll.records", "50", "client.id", "m-archiver"))) {
                int partition = onlyPartition();
                TopicPartition buffered = new TopicPartition(topic, partition);
                relay.stall();

                // when a member that never commits joins and is given that partition
                String joinerId = partition == PARTITIONS - 1 ? "z-joiner" : "a-joiner";
                long joined = System.nanoTime();
                try (KafkaConsumer<byte[], byte[]> joiner = new KafkaConsumer<>(
                        KafkaClientConfig.consumer(kafka.bootstrapServers(), group, Map.of("client.id", joinerId)))) {
                    joiner.subscribe(List.of(topic));
                    await().atMost(Duration.ofSeconds(90)).until(() -> {
                        joiner.poll(Duration.ofMillis(100));
                        return joiner.assignment().contains(buffered);
                    });
                    Duration handover = Duration.ofNanos(System.nanoTime() - joined);

                    // then the hanging store held the rebalance no longer than the release timeout (plus the
                    // rebalance's own round trips), and the 50 stayed uncommitted and unstored
                    assertThat(handover).isLessThan(RELEASE_TIMEOUT.plus(Duration.ofSeconds(10)));
                    assertThat(committed()).containsEntry(partition, 100L);
                }
                relay.resume();

                // and once the joiner left and storage answers again, the 50 are sealed after the idle time
                awaitAllCommittedAdvancing(clock);
            }
            assertStoredOnceEach(150);
        }
    }

    @Test
    void answersNotReadyWithinSecondsWithoutHangingWhileStorageHangsAndReadyAgainOnceItAnswers() throws Exception {
        // given a ready instance whose store is reached through a relay that then hangs
        try (StallingRelay relay = StallingRelay.start(URI.create(s3.endpoint()).getPort())) {
            try (ArchiverWorker worker = startHoldingFiftyBehind(relay, settings.consumerOverrides())) {
                await().atMost(Duration.ofSeconds(30)).until(worker::ready);

                // when the store stops answering
                relay.stall();

                // then readiness says so within seconds, and no question about it waits long for the answer
                await().atMost(Duration.ofSeconds(8)).until(() -> !worker.ready());
                long asked = System.nanoTime();
                assertThat(worker.ready()).isFalse();
                assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(3));

                // and once the store answers again, the instance is ready again
                relay.resume();
                await().atMost(Duration.ofSeconds(30)).until(worker::ready);
            }
        }
    }

    @Test
    void stopsWithinTheReleaseTimeoutWhenStorageHangsAndTheNextStartStoresTheOpenEvents() throws Exception {
        // given an instance holding 50 open events after a full segment, its store behind a relay that then hangs
        try (StallingRelay relay = StallingRelay.start(URI.create(s3.endpoint()).getPort())) {
            ArchiverWorker first = startHoldingFiftyBehind(relay, settings.consumerOverrides());
            int partition = onlyPartition();
            relay.stall();

            // when it stops
            long stopping = System.nanoTime();
            first.close();
            Duration stop = Duration.ofNanos(System.nanoTime() - stopping);

            // then it stopped within the release timeout (plus leaving the group), committing none of the 50
            assertThat(stop).isLessThan(RELEASE_TIMEOUT.plus(Duration.ofSeconds(10)));
            assertThat(committed()).containsEntry(partition, 100L);
            relay.resume();
        }
        try (ArchiverWorker next = ArchiverWorker.start(settings, new SimpleMeterRegistry(), clock)) {
            awaitAllCommittedAdvancing(clock);
        }
        assertStoredOnceEach(150);
    }

    @Test
    void abortsTheMultipartUploadACrashedInstanceLeftWhenItResumesTheChainAndStoresTheSegment() throws Exception {
        // given the chain's first key with a multipart upload that a crashed instance left open over an hour ago,
        // after it had indexed the chain (as it does before a chain's first upload)
        produce("Loan", "L-7", 150);
        int partition = onlyPartition();
        store.ensureBucket();
        String abandoned = SegmentKey.of("Loan", partition, 0).value();
        try (S3Client raw = rawClient()) {
            String uploadId = raw.createMultipartUpload(
                            b -> b.bucket(store.bucket()).key(abandoned))
                    .uploadId();
            raw.uploadPart(
                    b -> b.bucket(store.bucket())
                            .key(abandoned)
                            .uploadId(uploadId)
                            .partNumber(1),
                    RequestBody.fromBytes(new byte[] {1, 2, 3}));
        }
        store.putMarkerIfAbsent(SegmentKey.of("Loan", partition, 0).indexEntry());
        assertThat(store.openUploads(SegmentKey.EVENTS_PREFIX)).containsExactly(abandoned);
        MovableClock later = new MovableClock(Instant.now().plus(Duration.ofMinutes(61)));

        // when an archiver whose segments all go up in parts starts an hour after that upload began
        ArchiveStoreConfig inParts = new ArchiveStoreConfig(
                settings.store().endpoint(),
                settings.store().bucket(),
                settings.store().region(),
                settings.store().accessKeyId(),
                settings.store().secretAccessKey(),
                false,
                1,
                ArchiveStoreConfig.DEFAULT_MULTIPART_PART_BYTES);
        ArchiverSettings archiver = settingsWith(settings.consumerOverrides(), inParts, 100, IDLE, BUFFER_MAX_BYTES);
        try (ArchiverWorker worker = ArchiverWorker.start(archiver, registry, later)) {
            awaitAllCommittedAdvancing(later);
        }

        // then the abandoned upload was aborted, and the archiver stored the chain from offset 0 in parts, leaving
        // no upload of its own open
        assertThat(store.openUploads(SegmentKey.EVENTS_PREFIX)).isEmpty();
        assertThat(storedKeys())
                .containsExactly(
                        abandoned, SegmentKey.of("Loan", partition, 100).value());
        assertStoredOnceEach(150);
    }

    @Test
    void neverOverlapsSegmentsNorCommitsAheadOfTheArchiveWhenAThirdInstanceJoinsDuringADelayedCommit()
            throws Exception {
        // given two instances with clocks of their own, so their idle seals cut at different points
        MovableClock firstClock = new MovableClock(clock.instant());
        MovableClock secondClock = new MovableClock(clock.instant());
        MovableClock thirdClock = new MovableClock(clock.instant());
        SimpleMeterRegistry firstMeters = new SimpleMeterRegistry();
        SimpleMeterRegistry secondMeters = new SimpleMeterRegistry();
        ArchiverSettings small = withSegmentsOf(30, IDLE, BUFFER_MAX_BYTES);
        List<String> violations = new ArrayList<>();
        try (ArchiverWorker first = ArchiverWorker.start(small, firstMeters, firstClock);
                ArchiverWorker second =
                        ArchiverWorker.start(withOwnWarmDir(small, "second"), secondMeters, secondClock)) {
            awaitChecking(violations, () -> groupMembersWithPartitions() == 2 && first.ready() && second.ready());
            produceToEveryPartition("M", 0, 7);
            awaitChecking(violations, () -> openEvents(firstMeters) + openEvents(secondMeters) == 7L * PARTITIONS);

            // when only the first one's idle time passes, the second one's commit stays behind its open segments
            firstClock.advance(IDLE);
            awaitChecking(
                    violations,
                    () -> openEvents(firstMeters) == 0 && !storedKeys().isEmpty());
            long secondHolds = openEvents(secondMeters);
            assertThat(secondHolds).isPositive();
            assertThat(committedAheadOfStorage()).isEmpty();
            produceToEveryPartition("M", 7, 7);
            awaitChecking(
                    violations,
                    () -> openEvents(firstMeters) + openEvents(secondMeters) == 7L * PARTITIONS + secondHolds);

            // and a third instance joins while that commit is delayed
            try (ArchiverWorker third =
                    ArchiverWorker.start(withOwnWarmDir(small, "third"), new SimpleMeterRegistry(), thirdClock)) {
                awaitChecking(violations, () -> groupMembersWithPartitions() == 3);
                produceToEveryPartition("M", 14, 7);
                awaitChecking(violations, () -> {
                    firstClock.advance(IDLE);
                    secondClock.advance(IDLE);
                    thirdClock.advance(IDLE);
                    return committed().equals(endOffsets());
                });
                assertThat(third.ready()).isTrue();
            }
        }

        // then
        violations.addAll(overlappingSegments());
        assertThat(violations).isEmpty();
        assertThat(storedKeys().size()).isGreaterThan(PARTITIONS);
        assertStoredOnceEach(21 * PARTITIONS);
    }

    /** Waits for {@code condition}, collecting on every look what is committed ahead of storage or overlaps. */
    private void awaitChecking(List<String> violations, java.util.concurrent.Callable<Boolean> condition) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    violations.addAll(committedAheadOfStorage());
                    violations.addAll(overlappingSegments());
                    return condition.call();
                });
    }

    /** Segments of one chain whose offset ranges overlap, from their stored metadata. */
    private List<String> overlappingSegments() {
        Map<String, Long> lastOfChain = new HashMap<>();
        List<String> overlaps = new ArrayList<>();
        for (String key : storedKeys()) {
            SegmentKey parsed = SegmentKey.parse(key).orElseThrow();
            String chain = SegmentKey.chainPrefixOfSegment(parsed.typeSegment(), parsed.partition());
            SegmentMetadata meta = store.head(key).orElseThrow();
            Long previousLast = lastOfChain.put(chain, meta.lastOffset());
            if (previousLast != null && meta.firstOffset() <= previousLast) {
                overlaps.add(key + " starts at " + meta.firstOffset() + ", before the end of the one before it");
            }
        }
        return overlaps;
    }

    @Test
    void sealsThirtySevenEventsAfterTheIdleTimeWhileTheInstanceRestartsEveryFewSeconds() throws Exception {
        // given an idle time longer than each instance lives
        Duration idle = Duration.ofSeconds(4);
        ArchiverSettings restarting = withSegmentsOf(100, idle, BUFFER_MAX_BYTES);
        produce("Loan", "S-1", 37);
        Instant producedAt = Instant.now();
        Instant deadline = producedAt.plus(idle).plusSeconds(30);

        // when
        while (storedKeys().isEmpty() && Instant.now().isBefore(deadline)) {
            SimpleMeterRegistry instance = new SimpleMeterRegistry();
            try (ArchiverWorker worker = ArchiverWorker.start(restarting, instance, Clock.systemUTC())) {
                // Each instance lives about 1.5 s once it holds the events, well below the idle time.
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> openEvents(instance) == 37 || !storedKeys().isEmpty());
                await().pollDelay(Duration.ofMillis(1500))
                        .atMost(Duration.ofSeconds(10))
                        .until(worker::ready);
            }
        }

        // then (a stop seals the open segment without committing it, so one more start commits what is stored)
        assertThat(Instant.now()).isBefore(deadline);
        try (ArchiverWorker last = ArchiverWorker.start(restarting, new SimpleMeterRegistry(), Clock.systemUTC())) {
            awaitAllCommittedWhileReady(last);
        }
        assertThat(storedKeys())
                .singleElement()
                .satisfies(key -> assertThat(contentsOf(key).events()).hasSize(37));
    }

    @Test
    void keepsEveryOffsetInExactlyOneSegmentAfterAKillBetweenUploadAndCommit() throws Exception {
        // given an archiver process (events.all, group polyglot-archiver) that stalls after its first upload, before
        // the commit that would follow it
        topic = Topics.EVENTS_ALL;
        group = ArchiverSettings.GROUP;
        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)))
                .all()
                .get();
        produce("Loan", "K-1", 250);
        int partition = onlyPartition();
        Path processLog = warmDir.resolve("stalling-archiver.log");
        Process stalling = startStallingArchiverProcess(processLog);
        Map<String, String> before;
        try {
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readString(processLog).contains("stalled between upload and commit"));
            before = sha256OfEveryObject();
            assertThat(before).containsKey(SegmentKey.of("Loan", partition, 0).value());
            assertThat(committed()).doesNotContainKey(partition);

            // when it is killed with SIGKILL at that point
            assertThat(new ProcessBuilder("kill", "-9", Long.toString(stalling.pid()))
                            .start()
                            .waitFor())
                    .isZero();
            assertThat(stalling.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            stalling.destroyForcibly();
        }
        assertThat(stalling.exitValue()).isEqualTo(137);

        // and an archiver restarts while more events arrive at once
        ArchiverSettings restarted =
                settingsWith(settings.consumerOverrides(), settings.store(), 100, IDLE, BUFFER_MAX_BYTES);
        try (ArchiverWorker worker = ArchiverWorker.start(restarted, registry, clock)) {
            produceNumbered("Loan", "K-1", 250, 200);
            produce("Ticket", "K-2", 100);
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        clock.advance(IDLE);
                        return committed().equals(endOffsets());
                    });
            assertThat(worker.ready()).isTrue();
        }

        // then each offset is in exactly one segment, and what was stored before the kill is unchanged
        List<TopicPartitionOffset> stored = storedSegments().stream()
                .flatMap(segment -> segment.offsets().stream()
                        .map(offset -> new TopicPartitionOffset(segment.sourcePartition(), offset)))
                .toList();
        assertThat(stored).hasSize(550).doesNotHaveDuplicates();
        assertThat(Set.copyOf(stored)).isEqualTo(Set.copyOf(produced.values()));
        assertThat(sha256OfEveryObject()).containsAllEntriesOf(before);
        assertStoredOnceEach(550);
    }

    /**
     * Starts {@link ArchiverMain} as a process of its own, with the test hook that stalls it between upload and
     * commit, and full segments only (the idle time is far away).
     */
    private Process startStallingArchiverProcess(Path processLog) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-D" + ArchiverWorker.STALL_AFTER_UPLOAD_PROPERTY + "=true",
                "-cp",
                System.getProperty("java.class.path"),
                ArchiverMain.class.getName());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("S3_ENDPOINT", settings.store().endpoint().toString());
        env.put("S3_BUCKET", settings.store().bucket());
        env.put("S3_REGION", settings.store().region());
        env.put("AWS_ACCESS_KEY_ID", settings.store().accessKeyId());
        env.put("AWS_SECRET_ACCESS_KEY", settings.store().secretAccessKey());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("WARM_DIR", warmDir.resolve("stalling").toString());
        env.put("SEGMENT_MAX_EVENTS", "100");
        env.put("SEGMENT_MAX_IDLE", "10m");
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HEALTH_PORT", "0");
        env.put("KAFKA_CONSUMER_MAX_POLL_RECORDS", "50");
        // The restarted archiver is given the killed one's partitions after this, not after the 45 s default.
        env.put("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000");
        return builder.redirectErrorStream(true)
                .redirectOutput(processLog.toFile())
                .start();
    }

    /** The SHA-256 of every segment, manifest part and index entry in the bucket, by key. */
    private Map<String, String> sha256OfEveryObject() {
        Map<String, String> sums = new HashMap<>();
        for (String prefix :
                List.of(SegmentKey.EVENTS_PREFIX, ManifestPart.MANIFESTS_PREFIX, SegmentKey.INDEX_PREFIX)) {
            for (String key : store.list(prefix)) {
                sums.put(key, HexFormat.of().formatHex(sha256(bytesOf(key))));
            }
        }
        return sums;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Test
    void keepsEveryKeyFromHostileTypeNamesAndIdsInsideItsFolder() throws Exception {
        // given events whose type names and ids come from hostile input; a type that breaks the name rules is
        // refused as a dead letter, never rewritten, and the others are archived
        List<String> hostile =
                List.of("../../x", "a/../b", "a\\..\\b", "nul\u0000", "ＬＯＡＮ", "CON", "y".repeat(300), "%2e%2e%2f");
        List<String> valid = hostile.stream()
                .filter(name -> Names.aggregateTypeProblem(name).isEmpty())
                .toList();
        for (String name : hostile) {
            produce(name, name, 3);
        }
        String dlqTopic = "events.dlq." + UUID.randomUUID();
        admin.createTopics(List.of(new NewTopic(dlqTopic, 1, (short) 1))).all().get();
        settings = settings.withTopics(dlqTopic, Topics.SCHEMAS);

        // when
        try (ArchiverWorker worker = ArchiverWorker.start(settings, registry, clock)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> openEvents() == 3L * valid.size());
            clock.advance(IDLE);
            awaitAllCommittedWhileReady(worker);
        }

        // then every object is inside events/, manifests/ or index/, made of safe segments only
        List<String> everything = store.list("");
        assertThat(everything)
                .isNotEmpty()
                .allSatisfy(key -> assertThat(KeyPaths.resolveInside(warmDir, key))
                        .startsWithRaw(warmDir.toAbsolutePath().normalize()))
                .allMatch(key -> key.startsWith(SegmentKey.EVENTS_PREFIX)
                        || key.startsWith(ManifestPart.MANIFESTS_PREFIX)
                        || key.startsWith(SegmentKey.INDEX_PREFIX));
        assertThat(registry.get("polyglot.dead.letters")
                        .tag("reason", "invalid-aggregate-type")
                        .counter()
                        .count())
                .isEqualTo(3.0 * (hostile.size() - valid.size()));
        assertThat(storedKeys()).hasSize(valid.size()).allSatisfy(key -> {
            SegmentKey parsed = SegmentKey.parse(key).orElseThrow();
            SegmentContents contents = contentsOf(key);
            assertThat(contents.events())
                    .hasSize(3)
                    .allSatisfy(event ->
                            assertThat(parsed.holds(event.getAggregateType())).isTrue());
            assertThat(warmDir.resolve(key)).exists();
        });
        assertThat(archivedEventIds()).hasSize(3 * valid.size()).doesNotHaveDuplicates();
        assertThat(new ArchiveVerifier(store).verify().problems()).isEmpty();
    }

    @Test
    void takesASegmentKeyHoldingTheSameOffsetsAndSha256AsDone() throws Exception {
        // given
        try (ArchiverWorker worker = startHoldingFourTickets()) {
            SegmentMetadata same = storeForeignTickets(0, 4);
            int partition = onlyPartition();

            // when
            clock.advance(IDLE);

            // then
            awaitAllCommittedWhileReady(worker);
            assertThat(store.head(SegmentKey.of("Ticket", partition, 0).value()))
                    .contains(same);
            assertThat(archivedEventIds()).containsExactlyInAnyOrderElementsOf(produced.keySet());
            assertThat(registry.find("polyglot.archive.divergences").counter()).isNull();
            assertThat(registry.find("polyglot.archive.other.cuts").counter()).isNull();
        }
    }

    @Test
    void resumesFromStorageWhenAnotherWriterCutTheChainDifferently() throws Exception {
        // given
        try (ArchiverWorker worker = startHoldingFourTickets()) {
            SegmentMetadata foreign = storeForeignTickets(0, 1);
            int partition = onlyPartition();

            // when
            clock.advance(IDLE);
            await().atMost(Duration.ofSeconds(30)).until(() -> openEvents() == 3);
            clock.advance(IDLE);

            // then
            awaitAllCommittedWhileReady(worker);
            assertThat(storedKeys())
                    .containsExactly(
                            SegmentKey.of("Ticket", partition, 0).value(),
                            SegmentKey.of("Ticket", partition, 1).value());
            assertThat(store.head(SegmentKey.of("Ticket", partition, 0).value()))
                    .contains(foreign);
            assertThat(archivedEventIds()).hasSize(4).containsExactlyInAnyOrderElementsOf(produced.keySet());
            assertThat(registry.get("polyglot.archive.other.cuts")
                            .tag("aggregate_type", "Ticket")
                            .counter()
                            .count())
                    .isEqualTo(1.0);
            assertThat(new ArchiveVerifier(store).verify().problems()).isEmpty();
        }
    }

    @Test
    void stopsCommittingAndFailsReadinessWhenTheKeyHoldsTheSameOffsetsWithOtherBytes() throws Exception {
        // given
        try (ArchiverWorker worker = startHoldingFourTickets()) {
            SegmentMetadata other = storeForeignTickets(10, 4);
            int partition = onlyPartition();

            // when
            clock.advance(IDLE);

            // then
            await().atMost(Duration.ofSeconds(30)).until(() -> !worker.ready());
            assertThat(registry.get("polyglot.archive.divergences")
                            .tag("aggregate_type", "Ticket")
                            .counter()
                            .count())
                    .isEqualTo(1.0);
            assertThat(committed()).doesNotContainKey(partition);
            assertThat(store.head(SegmentKey.of("Ticket", partition, 0).value()))
                    .contains(other);
        }
    }

    @Test
    void resumesAfterACrashWithoutPuttingAStoredEventInASecondSegment() throws Exception {
        // given what a crashed archiver left: Loan 0..4 and Ticket 5..14 stored, offset 8 committed
        produce("Loan", "X", 5);
        produce("Ticket", "X", 10);
        producedLoanAgain("X", 5, 5);
        int partition = produced.values().iterator().next().partition();
        store.ensureBucket();
        storeAsCrashedArchiverDid(partition, "Loan", "X", 0, 0, 5);
        storeAsCrashedArchiverDid(partition, "Ticket", "X", 5, 0, 10);
        admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, partition), new OffsetAndMetadata(8)))
                .all()
                .get();

        // when
        try (ArchiverWorker worker = ArchiverWorker.start(settings, registry, clock)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> openEvents() == 5);
            clock.advance(IDLE);
            await().atMost(Duration.ofSeconds(30)).until(() -> committed().equals(endOffsets()));
        }

        // then
        assertThat(storedKeys())
                .containsExactly(
                        SegmentKey.of("Loan", partition, 0).value(),
                        SegmentKey.of("Loan", partition, 15).value(),
                        SegmentKey.of("Ticket", partition, 5).value());
        assertThat(archivedEventIds()).hasSize(20).doesNotHaveDuplicates();
        assertThat(new ArchiveVerifier(store).verify().problems()).isEmpty();
        assertThat(manifestParts("Loan", partition))
                .extracting(p -> p.segments().get(0).key(), ManifestPart::emptyRanges)
                .containsExactly(
                        tuple(SegmentKey.of("Loan", partition, 0).value(), List.of()),
                        tuple(
                                SegmentKey.of("Loan", partition, 15).value(),
                                List.of(new ManifestPart.OffsetRange(5, 14))));
    }

    @Test
    void writesAManifestPartPerSegmentWithEveryOffsetRangeThatHeldNoEventOfItsType() throws Exception {
        // given Loan 0..4, Ticket 5..14 and Loan 15..19 in one partition
        produce("Loan", "X", 5);
        produce("Ticket", "X", 10);
        producedLoanAgain("X", 5, 5);
        int partition = onlyPartition();

        // when
        try (ArchiverWorker worker = ArchiverWorker.start(settings, registry, clock)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> openEvents() == 20);
            clock.advance(IDLE);
            awaitAllCommittedWhileReady(worker);
        }

        // then
        assertThat(manifestParts("Loan", partition)).singleElement().satisfies(part -> {
            assertThat(part.segments().get(0).lastOffset()).isEqualTo(19);
            assertThat(part.emptyRanges()).containsExactly(new ManifestPart.OffsetRange(5, 14));
        });
        assertThat(manifestParts("Ticket", partition)).singleElement().satisfies(part -> {
            assertThat(part.emptyRanges()).containsExactly(new ManifestPart.OffsetRange(0, 4));
            assertThat(part.segments().get(0).eventCount()).isEqualTo(10);
            assertThat(part.segments().get(0).firstEventTime())
                    .isEqualTo(
                            TestEvents.event("Ticket", "X", 0).getOccurredAt().toString());
            assertThat(part.segments().get(0).sha256())
                    .isEqualTo(store.head(part.segments().get(0).key())
                            .orElseThrow()
                            .sha256());
        });
    }

    @Test
    void pausesWhileStorageIsDownAndStoresEveryEventOnceWhenItIsBack() throws Exception {
        // given an S3Proxy of this test's own, stopped by its pid and started again on the same port and folder
        Path s3Dir = servers.resolve("s3-outage-" + UUID.randomUUID());
        S3Server outage = startOwnS3(s3Dir);
        try {
            ArchiverSettings bounded = withSegmentsOf(10, Duration.ofMillis(300), 8 * 1024);
            produce("Loan", "O-1", 20);
            try (ArchiverWorker worker = ArchiverWorker.start(bounded, registry, Clock.systemUTC())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> committed().equals(endOffsets()));
                Map<Integer, Long> committedBeforeOutage = committed();

                // when
                outage.close();
                produce("Loan", "O-2", 100);
                produce("Ticket", "O-3", 100);

                // then
                await().atMost(Duration.ofSeconds(60)).until(() -> pausedPartitions() > 0);
                assertThat(committed()).isEqualTo(committedBeforeOutage);
                outage = S3Server.start(s3Dir, outage.port());
                await().atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> committed().equals(endOffsets()) && pausedPartitions() == 0);
                assertThat(committedAheadOfStorage()).isEmpty();
            }
            assertStoredOnceEach(220);
        } finally {
            outage.close();
        }
    }

    @Test
    void readsThePartitionsItIsGivenDuringAStorageOutageOnceStorageIsBack() throws Exception {
        // given two instances that stored everything, then an S3Proxy outage with events arriving
        Path s3Dir = servers.resolve("s3-outage-" + UUID.randomUUID());
        S3Server outage = startOwnS3(s3Dir);
        try {
            ArchiverSettings quick = withSegmentsOf(10, Duration.ofMillis(300), BUFFER_MAX_BYTES);
            for (int id = 0; id < 6; id++) {
                produce("Loan", "R-" + id, 5);
            }
            SimpleMeterRegistry firstMeters = new SimpleMeterRegistry();
            try (ArchiverWorker first = ArchiverWorker.start(quick, firstMeters, Clock.systemUTC())) {
                ArchiverWorker second = ArchiverWorker.start(
                        withOwnWarmDir(quick, "second"), new SimpleMeterRegistry(), Clock.systemUTC());
                await().atMost(Duration.ofSeconds(60))
                        .until(() ->
                                groupMembersWithPartitions() == 2 && committed().equals(endOffsets()));
                outage.close();
                for (int id = 0; id < 6; id++) {
                    produceNumbered("Loan", "R-" + id, 5, 5);
                }

                // when the second one leaves, the first one is given its partitions while storage is down
                second.close();

                // then
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> groupMembersWithPartitions() == 1 && pausedPartitions(firstMeters) > 0);
                assertThat(first.failed()).isFalse();
                outage = S3Server.start(s3Dir, outage.port());
                await().atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> committed().equals(endOffsets()) && pausedPartitions(firstMeters) == 0);
                assertThat(first.failed()).isFalse();
            }
            assertStoredOnceEach(60);
        } finally {
            outage.close();
        }
    }

    @Test
    void readsOnlyTheChainsItsPartitionIndexesAndCleansTheObjectsACrashedUploadLeft() throws IOException {
        // given
        store.ensureBucket();
        SegmentArchiver archiver = new SegmentArchiver(
                store, new WarmTier(warmDir, "events.all"), new ArchiverMetrics(new SimpleMeterRegistry(), "g"));
        archive(archiver, "Loan", 0, 0, 3);
        archive(archiver, "Loan", 0, 10, 2);
        for (int t = 0; t < 20; t++) {
            archive(archiver, "Other" + t, 1, t, 1);
        }
        writtenWithoutIndex(store, "Unindexed", 0, 20);
        String leftover = SegmentKey.of("Loan", 0, 99).value() + "-" + UUID.randomUUID();
        store.putMarkerIfAbsent(leftover);

        // when
        Map<String, Long> tails =
                new StoredChains(store, Clock.systemUTC(), StoredChains.ABANDONED_UPLOAD_AGE).tails(0);

        // then
        assertThat(tails).isEqualTo(Map.of(SegmentKey.chainPrefix("Loan", 0), 11L));
        assertThat(new StoredChains(store, Clock.systemUTC(), StoredChains.ABANDONED_UPLOAD_AGE).tails(1))
                .hasSize(20);
        assertThat(store.list(SegmentKey.EVENTS_PREFIX))
                .doesNotContain(leftover)
                .hasSize(23);
    }

    @Test
    void refusesToStartWithAutoCommitTurnedOn() {
        // given
        ArchiverSettings autoCommit =
                settingsWith(Map.of("enable.auto.commit", "true"), settings.store(), 100, IDLE, BUFFER_MAX_BYTES);

        // when / then
        assertThatThrownBy(() -> ArchiverWorker.start(autoCommit, registry, clock))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("enable.auto.commit");
        assertThat(store.reachable()).isFalse();
    }

    /** Starts an S3Proxy of the test's own in {@code dir} and points the test's store and settings at it. */
    private S3Server startOwnS3(Path dir) {
        S3Server server = S3Server.start(dir, 0);
        useStore(server);
        return server;
    }

    /** Points the test's store and settings at {@code server}, on a new bucket. */
    private void useStore(S3Server server) {
        store.close();
        ArchiveStoreConfig config =
                freshBucket(server.endpoint(), server.region(), server.accessKey(), server.secretKey());
        store = new ArchiveStore(config);
        settings = settingsWith(
                settings.consumerOverrides(),
                config,
                settings.segmentMaxEvents(),
                settings.segmentMaxIdle(),
                settings.bufferMaxBytes());
    }

    /**
     * Produces 150 events of Loan L-7 and starts a worker whose store is reached through {@code relay}, with the
     * test's release timeout, once it stored the first 100 and holds 50 open.
     */
    private ArchiverWorker startHoldingFiftyBehind(StallingRelay relay, Map<String, Object> consumerOverrides)
            throws Exception {
        ArchiverSettings relayed = settingsWith(
                        consumerOverrides, throughRelay(settings.store(), relay), 100, IDLE, BUFFER_MAX_BYTES)
                .withReleaseTimeout(RELEASE_TIMEOUT);
        produce("Loan", "L-7", 150);
        ArchiverWorker worker = ArchiverWorker.start(relayed, registry, clock);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> openEvents() == 50 && committed().containsValue(100L));
        return worker;
    }

    /** Waits until every partition is committed to its end, moving {@code moving} on by the idle time meanwhile. */
    private void awaitAllCommittedAdvancing(MovableClock moving) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            moving.advance(IDLE);
            return committed().equals(endOffsets());
        });
    }

    /** The same store, reached through {@code relay}. */
    private static ArchiveStoreConfig throughRelay(ArchiveStoreConfig config, StallingRelay relay) {
        return new ArchiveStoreConfig(
                URI.create("http://127.0.0.1:" + relay.port()),
                config.bucket(),
                config.region(),
                config.accessKeyId(),
                config.secretAccessKey(),
                config.readBackAfterPut(),
                config.multipartThresholdBytes(),
                config.multipartPartBytes());
    }

    /** A plain S3 client on the test's S3Proxy, for what the archive store never does on its own. */
    private static S3Client rawClient() {
        return S3Client.builder()
                .endpointOverride(URI.create(s3.endpoint()))
                .region(Region.of(s3.region()))
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .forcePathStyle(true)
                .build();
    }

    private static ArchiveStoreConfig freshBucket(String endpoint, String region, String accessKey, String secretKey) {
        return new ArchiveStoreConfig(
                URI.create(endpoint), "archive-" + UUID.randomUUID(), region, accessKey, secretKey, false);
    }

    /** The same settings with a warm directory of its own, as every further instance needs. */
    private ArchiverSettings withOwnWarmDir(ArchiverSettings base, String instance) {
        return settingsWith(
                base.consumerOverrides(),
                base.store(),
                base.segmentMaxEvents(),
                base.segmentMaxIdle(),
                base.bufferMaxBytes(),
                warmDir.resolve(instance));
    }

    @Test
    void refusesToStartOnAWarmDirectoryAnotherInstanceHolds() throws Exception {
        // given
        try (ArchiverWorker first = ArchiverWorker.start(settings, registry, clock)) {

            // when / then
            assertThatThrownBy(() -> ArchiverWorker.start(settings, new SimpleMeterRegistry(), clock))
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessageContaining("WARM_DIR");
            assertThat(first.failed()).isFalse();
        }
        try (ArchiverWorker again = ArchiverWorker.start(settings, new SimpleMeterRegistry(), clock)) {
            await().atMost(Duration.ofSeconds(60)).until(again::ready);
        }
    }

    private ArchiverSettings withSegmentsOf(int maxEvents, Duration maxIdle, long bufferMaxBytes) {
        return settingsWith(settings.consumerOverrides(), settings.store(), maxEvents, maxIdle, bufferMaxBytes);
    }

    private ArchiverSettings settingsWith(
            Map<String, Object> consumerOverrides,
            ArchiveStoreConfig storeConfig,
            int maxEvents,
            Duration maxIdle,
            long bufferMaxBytes) {
        return settingsWith(consumerOverrides, storeConfig, maxEvents, maxIdle, bufferMaxBytes, warmDir);
    }

    private ArchiverSettings settingsWith(
            Map<String, Object> consumerOverrides,
            ArchiveStoreConfig storeConfig,
            int maxEvents,
            Duration maxIdle,
            long bufferMaxBytes,
            Path instanceWarmDir) {
        return new ArchiverSettings(
                kafka.bootstrapServers(),
                topic,
                group,
                consumerOverrides,
                storeConfig,
                instanceWarmDir,
                WARM_MAX_BYTES,
                maxEvents,
                maxIdle,
                bufferMaxBytes,
                "127.0.0.1",
                0,
                ArchiverSettings.DEFAULT_RELEASE_TIMEOUT);
    }

    private long pausedPartitions() {
        return pausedPartitions(registry);
    }

    private static long pausedPartitions(MeterRegistry meters) {
        return (long) meters.get("polyglot.archiver.paused.partitions").gauge().value();
    }

    /** Produces 150 events of Loan L-7 and starts a worker that stored the first 100 and holds 50 open. */
    private ArchiverWorker startHoldingFiftyAfterAFullSegment() throws Exception {
        produce("Loan", "L-7", 150);
        ArchiverWorker worker = ArchiverWorker.start(settings, registry, clock);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> openEvents() == 50 && committed().containsValue(100L));
        return worker;
    }

    private void assertStoredOnceEach(int events) {
        List<String> archived = archivedEventIds();
        assertThat(archived).hasSize(events).doesNotHaveDuplicates();
        assertThat(Set.copyOf(archived)).isEqualTo(produced.keySet());
        assertThat(new ArchiveVerifier(store).verify().problems()).isEmpty();
    }

    private long groupMembersWithPartitions() throws Exception {
        return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get().members().stream()
                .filter(member -> !member.assignment().topicPartitions().isEmpty())
                .count();
    }

    /** Produces four events of Ticket T-3 and starts a worker, ready, that holds them in an open segment. */
    private ArchiverWorker startHoldingFourTickets() throws Exception {
        produce("Ticket", "T-3", 4);
        ArchiverWorker worker = ArchiverWorker.start(settings, registry, clock);
        await().atMost(Duration.ofSeconds(60)).until(() -> openEvents() == 4 && worker.ready());
        return worker;
    }

    private void awaitAllCommittedWhileReady(ArchiverWorker worker) {
        await().atMost(Duration.ofSeconds(30)).until(() -> committed().equals(endOffsets()));
        assertThat(worker.ready()).isTrue();
    }

    /** What another archiver would have stored first in the chain of T-3: its events {@code from..} at 0... */
    private SegmentMetadata storeForeignTickets(int from, int count) throws IOException {
        return storeAsCrashedArchiverDid(onlyPartition(), "Ticket", "T-3", 0, from, count);
    }

    /** Every part of the manifest of a chain, in part order. */
    private List<ManifestPart> manifestParts(String type, int partition) {
        return store.list(ManifestPart.prefix(type, partition)).stream()
                .map(key -> ManifestPart.fromJson(bytesOf(key)))
                .toList();
    }

    private int onlyPartition() {
        return produced.values().iterator().next().partition();
    }

    private void produce(String type, String aggregateId, int count) throws Exception {
        produceNumbered(type, aggregateId, 0, count);
    }

    /** Produces events {@code from..} of aggregate {@code prefix-p} of type Loan straight into each partition p. */
    private void produceToEveryPartition(String prefix, int from, int count) throws Exception {
        for (int partition = 0; partition < PARTITIONS; partition++) {
            produceNumbered("Loan", prefix + "-" + partition, partition, from, count);
        }
    }

    private void produceNumbered(String type, String aggregateId, int from, int count) throws Exception {
        produceNumbered(type, aggregateId, null, from, count);
    }

    private void produceNumbered(String type, String aggregateId, Integer partition, int from, int count)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientConfig.producer(kafka.bootstrapServers(), Limits.DEFAULT_COMMAND_MAX_BYTES, Map.of()))) {
            for (int n = from; n < from + count; n++) {
                EventEnvelope event = TestEvents.event(type, aggregateId, n);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                        topic, partition, aggregateId.getBytes(StandardCharsets.UTF_8), TestEvents.encoded(event));
                record.headers().add(Topics.HEADER_AGGREGATE_TYPE, type.getBytes(StandardCharsets.UTF_8));
                record.headers().add(Topics.HEADER_EVENT_TYPE, event.getType().getBytes(StandardCharsets.UTF_8));
                RecordMetadata metadata = producer.send(record).get();
                produced.put(event.getEventId(), new TopicPartitionOffset(metadata.partition(), metadata.offset()));
            }
        }
    }

    private void producedLoanAgain(String aggregateId, int from, int count) throws Exception {
        produceNumbered("Loan", aggregateId, from, count);
    }

    /** Stores a segment as another archiver would have, with the events {@code from..} at {@code firstOffset..}. */
    private SegmentMetadata storeAsCrashedArchiverDid(
            int partition, String type, String aggregateId, long firstOffset, int from, int count) throws IOException {
        List<ArchivedEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(new ArchivedEvent(firstOffset + i, TestEvents.event(type, aggregateId, from + i)));
        }
        WarmSegment segment = new WarmTier(warmDir.resolve("crashed"), topic)
                .write(new SealedSegment(
                        new Chain(type, partition),
                        SegmentKey.of(type, partition, firstOffset),
                        events,
                        SealedSegment.SealReason.IDLE));
        store.putMarkerIfAbsent(segment.segment().key().indexEntry());
        assertThat(store.putIfAbsent(segment.segment().key().value(), segment.file(), segment.metadata()))
                .isInstanceOf(io.polyglot.archive.store.PutResult.Created.class);
        return segment.metadata();
    }

    /** Events committed as stored (offset below the committed offset) that no stored segment holds. */
    private List<String> committedAheadOfStorage() throws Exception {
        Map<Integer, Long> committed = committed();
        Set<TopicPartitionOffset> stored = storedOffsets();
        return produced.entrySet().stream()
                .filter(e -> e.getValue().offset()
                        < committed.getOrDefault(e.getValue().partition(), 0L))
                .filter(e -> !stored.contains(e.getValue()))
                .map(e -> "event " + e.getKey() + " at " + e.getValue() + " is committed but not stored")
                .toList();
    }

    private Map<Integer, Long> committed() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        Map<Integer, Long> byPartition = new HashMap<>();
        offsets.forEach((tp, offset) -> {
            if (offset != null && offset.offset() > 0) {
                byPartition.put(tp.partition(), offset.offset());
            }
        });
        return byPartition;
    }

    private Map<Integer, Long> endOffsets() throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin.listOffsets(request).all().get().entrySet().stream()
                .filter(e -> e.getValue().offset() > 0)
                .collect(Collectors.toMap(
                        e -> e.getKey().partition(), e -> e.getValue().offset()));
    }

    /** The fetches the worker's consumer of {@code events.all} has sent, from its Kafka client metrics. */
    private double fetches() {
        return registry.find("kafka.consumer.fetch.manager.fetch.total").functionCounters().stream()
                .mapToDouble(FunctionCounter::count)
                .sum();
    }

    private long openEvents() {
        return openEvents(registry);
    }

    private static long openEvents(MeterRegistry meters) {
        return (long) meters.get("polyglot.archiver.open.events").gauge().value();
    }

    private List<String> storedKeys() {
        if (!store.reachable()) {
            return List.of();
        }
        return store.list(SegmentKey.EVENTS_PREFIX).stream()
                .filter(key -> key.endsWith(".avro"))
                .toList();
    }

    private List<SegmentContents> storedSegments() {
        return storedKeys().stream().map(this::contentsOf).toList();
    }

    private List<String> archivedEventIds() {
        return storedSegments().stream()
                .flatMap(segment -> segment.events().stream())
                .map(EventEnvelope::getEventId)
                .toList();
    }

    private Set<TopicPartitionOffset> storedOffsets() {
        return storedSegments().stream()
                .flatMap(segment -> segment.offsets().stream()
                        .map(offset -> new TopicPartitionOffset(segment.sourcePartition(), offset)))
                .collect(Collectors.toSet());
    }

    private SegmentContents contentsOf(String key) {
        try (InputStream in = store.get(key)) {
            return SegmentFormat.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] bytesOf(String key) {
        try (InputStream in = store.get(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record TopicPartitionOffset(int partition, long offset) {}

    private void archive(SegmentArchiver archiver, String type, int partition, long firstOffset, int count) {
        archiver.submit(sealed(type, partition, firstOffset, count));
        assertThat(archiver.uploadPendingNow(Instant.now()))
                .singleElement()
                .satisfies(result -> assertThat(result.durable()).isTrue());
    }

    private void writtenWithoutIndex(ArchiveStore store, String type, int partition, long firstOffset)
            throws IOException {
        WarmSegment segment =
                new WarmTier(warmDir.resolve("elsewhere"), "events.all").write(sealed(type, partition, firstOffset, 1));
        store.putIfAbsent(segment.segment().key().value(), segment.file(), segment.metadata());
    }

    private static SealedSegment sealed(String type, int partition, long firstOffset, int count) {
        List<ArchivedEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(new ArchivedEvent(firstOffset + i, TestEvents.event(type, "A", i)));
        }
        return new SealedSegment(
                new Chain(type, partition),
                SegmentKey.of(type, partition, firstOffset),
                events,
                SealedSegment.SealReason.IDLE);
    }
}
