package io.polyglot.runtime.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.runtime.TopicSnapshot;
import io.polyglot.schemas.Limits;
import io.polyglot.testservers.ProxiedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dead letters against a real Kafka broker on loopback, reached through a proxy so a test can take the broker away. */
class DeadLetterPublisherTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path servers;

    private static ProxiedKafka kafka;

    private final String dlqTopic = "events.dlq." + UUID.randomUUID();
    private final String group = "group-" + UUID.randomUUID();

    @BeforeAll
    static void startKafka() {
        kafka = ProxiedKafka.start(servers.resolve("kafka"));
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
            admin.createTopics(List.of(new NewTopic(dlqTopic, 2, (short) 1)))
                    .all()
                    .get();
        }
    }

    @Test
    void keepsTheSourceRecordsBytesAndHeadersAndAddsTheDesignsHeaders() {
        // given
        byte[] value = {(byte) 0xC3, 0x01, 0x00, (byte) 0xFF, 0x7F};
        ConsumerRecord<byte[], byte[]> source = source(3, 41L, "L-1".getBytes(StandardCharsets.UTF_8), value);
        RuntimeException error = new IllegalStateException("payload cannot be decoded");

        // when
        boolean sent;
        try (DeadLetterPublisher publisher = publisher(ledger())) {
            sent = publisher.publish(source, error, 2);
        }

        // then
        assertThat(sent).isTrue();
        List<DeadLetter> letters = reader().read(group);
        assertThat(letters).hasSize(1);
        DeadLetter letter = letters.get(0);
        assertThat(letter.source()).isEqualTo(new DeadLetterSource("events.all", 3, 41L));
        assertThat(letter.group()).isEqualTo(group);
        assertThat(letter.errorClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(letter.errorMessage()).isEqualTo("payload cannot be decoded");
        assertThat(letter.attempts()).isEqualTo(2);
        assertThat(letter.key()).isEqualTo("L-1".getBytes(StandardCharsets.UTF_8));
        assertThat(letter.value()).isEqualTo(value);
        assertThat(letter.timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(new String(letter.sourceHeader("aggregateType"), StandardCharsets.UTF_8))
                .isEqualTo("Loan");
        assertThat(new String(letter.sourceHeader("eventType"), StandardCharsets.UTF_8))
                .isEqualTo("ActivityRecorded");
    }

    @Test
    void keepsANullValueAndBoundsAndMasksTheErrorMessage() {
        // given
        ConsumerRecord<byte[], byte[]> source = source(0, 7L, null, null);
        String secretBearing =
                "cannot reach http://admin:hunter2@127.0.0.1:9000 with password=hunter2 " + "x".repeat(5000);

        // when
        try (DeadLetterPublisher publisher = publisher(ledger())) {
            publisher.publish(source, new IllegalArgumentException(secretBearing), 1);
        }

        // then
        DeadLetter letter = reader().read(group).get(0);
        assertThat(letter.value()).isNull();
        assertThat(letter.key()).isNull();
        assertThat(letter.errorMessage())
                .hasSizeLessThanOrEqualTo(DeadLetterHeaders.ERROR_MESSAGE_MAX_CHARS)
                .doesNotContain("hunter2")
                .startsWith("cannot reach http://****@127.0.0.1:9000 with password=****")
                .endsWith("[cut]");
    }

    @Test
    void sendsNothingForASourceRecordTheGroupDeadLetteredBeforeARestart() {
        // given
        ConsumerRecord<byte[], byte[]> source = source(1, 99L, "T-1".getBytes(StandardCharsets.UTF_8), new byte[] {1});
        try (DeadLetterPublisher first = publisher(ledger())) {
            first.publish(source, new IllegalStateException("bad"), 1);
        }

        // when: a new instance of the group, with a ledger of its own, meets the record again
        boolean sentAgain;
        DeadLetterLedger afterRestart = ledger();
        afterRestart.reload();
        try (DeadLetterPublisher second = publisher(afterRestart)) {
            sentAgain = second.publish(source, new IllegalStateException("bad"), 1);
        }

        // then
        assertThat(sentAgain).isFalse();
        assertThat(reader().readAll()).hasSize(1);
    }

    @Test
    void stampsADeadLetterWithTheTimeItIsSentSoATopicKeepingAWeekTakesTheDeadLetterOfAnOldRecord() throws Exception {
        // given: a dead-letter topic that keeps records for a week and refuses any stamped earlier than that (the
        // broker deletes such a record at its next retention check; the refusal makes that loss show at once)
        String week = Long.toString(Duration.ofDays(7).toMillis());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, dlqTopic);
            admin.incrementalAlterConfigs(Map.of(
                            topic,
                            List.of(
                                    new AlterConfigOp(
                                            new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, week),
                                            AlterConfigOp.OpType.SET),
                                    new AlterConfigOp(
                                            new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, week),
                                            AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
        }
        // a source record appended in November 2023
        ConsumerRecord<byte[], byte[]> source = source(0, 12L, null, new byte[] {4});
        long before = System.currentTimeMillis();

        // when
        boolean sent;
        try (DeadLetterPublisher publisher = publisher(ledger())) {
            sent = publisher.publish(source, new IllegalStateException("cannot be decoded"), 1);
        }

        // then: the dead letter is there, stamped now, and still tells the source record's time
        assertThat(sent).isTrue();
        List<ConsumerRecord<byte[], byte[]>> stored = new ArrayList<>();
        TopicSnapshot.read(kafka.bootstrapServers(), dlqTopic, Map.of(), Duration.ofSeconds(30), stored::add);
        assertThat(stored)
                .singleElement()
                .satisfies(record -> assertThat(record.timestamp()).isGreaterThanOrEqualTo(before - 1_000));
        assertThat(reader().read(group))
                .singleElement()
                .satisfies(letter -> assertThat(letter.timestamp()).isEqualTo(source.timestamp()));
    }

    @Test
    void sendsTheSameSourceRecordOnceForEachGroup() {
        // given
        ConsumerRecord<byte[], byte[]> source = source(1, 5L, null, new byte[] {9});
        String otherGroup = group + "-other";

        // when
        try (DeadLetterPublisher mine = publisher(ledger());
                DeadLetterPublisher theirs = publisher(new DeadLetterLedger(reader(), otherGroup))) {
            mine.publish(source, new IllegalStateException("bad"), 1);
            theirs.publish(source, new IllegalStateException("bad"), 1);
        }

        // then
        assertThat(reader().read(group)).hasSize(1);
        assertThat(reader().read(otherGroup)).hasSize(1);
        assertThat(reader().readAll()).hasSize(2);
    }

    @Test
    void failsWithARetriableExceptionWhileTheBrokerIsDownAndSendsOnceItIsBack() {
        // given
        ConsumerRecord<byte[], byte[]> source = source(2, 12L, null, new byte[] {2});
        DeadLetterLedger ledger = ledger();
        ledger.reload();
        try (DeadLetterPublisher publisher = publisher(ledger)) {
            kafka.stopBroker();
            try {
                // when
                assertThatThrownBy(() -> publisher.publish(source, new IllegalStateException("bad"), 1))
                        // then
                        .isInstanceOf(DeadLetterUnavailableException.class)
                        .isInstanceOf(io.polyglot.runtime.KafkaUnavailableException.class);
            } finally {
                kafka.restartBroker();
            }

            // and once the broker is back the same dead letter goes out, once
            assertThat(publisher.publish(source, new IllegalStateException("bad"), 1))
                    .isTrue();
        }
        assertThat(reader().read(group))
                .extracting(DeadLetter::source)
                .containsExactly(new DeadLetterSource("events.all", 2, 12L));
    }

    private DeadLetterPublisher publisher(DeadLetterLedger ledger) {
        return DeadLetterPublisher.create(
                kafka.bootstrapServers(), Limits.DEFAULT_COMMAND_MAX_BYTES, Map.of(), dlqTopic, ledger, TIMEOUT);
    }

    private DeadLetterLedger ledger() {
        return new DeadLetterLedger(reader(), group);
    }

    private DeadLetterReader reader() {
        return new DeadLetterReader(kafka.bootstrapServers(), dlqTopic, Duration.ofSeconds(30), Map.of());
    }

    private static ConsumerRecord<byte[], byte[]> source(int partition, long offset, byte[] key, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("aggregateType", "Loan".getBytes(StandardCharsets.UTF_8));
        headers.add("eventType", "ActivityRecorded".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>(
                "events.all",
                partition,
                offset,
                1_700_000_000_000L,
                TimestampType.CREATE_TIME,
                key == null ? -1 : key.length,
                value == null ? -1 : value.length,
                key,
                value,
                headers,
                Optional.empty());
    }
}
