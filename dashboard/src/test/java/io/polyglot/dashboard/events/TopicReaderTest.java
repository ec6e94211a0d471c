package io.polyglot.dashboard.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.stack.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads running at the same time against a real broker: scans held open inside their record callback stand for slow
 * aggregate lookups, and a one-record page asked meanwhile is read by another consumer, or refused once its timeout
 * is over when every consumer is taken, rather than queue behind them without bound.
 */
class TopicReaderTest {

    private static final String TOPIC = "events.all";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    static Path dataDir;

    private static KafkaBroker kafka;

    private TopicReader reader;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeAll
    static void startKafkaWithRecords() throws Exception {
        kafka = KafkaBroker.start(dataDir.resolve("kafka"), 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, ("record " + i).getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void openTheReader() {
        reader = new TopicReader(kafka.bootstrapServers(), TIMEOUT);
    }

    @AfterEach
    void releaseTheScansAndCloseTheReader() throws Exception {
        release.countDown();
        threads.shutdown();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        reader.close();
    }

    @Test
    void readsAPageWhileASlowScanHoldsAnotherConsumer() throws Exception {
        // given a scan that holds its consumer until released
        holdScans(1);

        // when
        long started = System.nanoTime();
        Future<Integer> page = threads.submit(() -> reader.read(PARTITION, 3, 1).size());

        // then: the page is read while the scan still holds its consumer
        assertThat(page.get(TIMEOUT.toSeconds() * 5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(release.getCount()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT);
    }

    @Test
    void refusesAReadThatGetsNoConsumerWithinItsTimeout() throws Exception {
        // given every consumer held by a slow scan
        holdScans(TopicReader.CONSUMERS);

        // when
        long started = System.nanoTime();
        Future<Integer> page = threads.submit(() -> reader.read(PARTITION, 3, 1).size());

        // then: refused once the timeout is over, while the scans still hold their consumers
        assertThatThrownBy(() -> page.get(TIMEOUT.toSeconds() * 5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ReadersBusyException.class);
        Duration waited = Duration.ofNanos(System.nanoTime() - started);
        assertThat(release.getCount()).isEqualTo(1);
        assertThat(waited).isBetween(TIMEOUT.minusMillis(100), TIMEOUT.multipliedBy(2));
    }

    /** Starts {@code count} scans that each take their consumer and keep it until {@link #release} opens. */
    private void holdScans(int count) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(count);
        List<Future<?>> scans = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            scans.add(threads.submit(() -> reader.scan(PARTITION, 0, 5, record -> {
                holding.countDown();
                try {
                    return !release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            })));
        }
        assertThat(holding.await(30, TimeUnit.SECONDS))
                .as("every scan holds its consumer")
                .isTrue();
    }
}
