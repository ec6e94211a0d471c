package io.polyglot.testservers;

import static io.polyglot.testservers.KafkaProxy.RequestHeader.produceFrom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker advertising a proxy's port, and the faults the proxy makes, against a real broker. */
class KafkaProxyTest {

    @TempDir
    static Path dataDir;

    static ProxiedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = ProxiedKafka.start(dataDir.resolve("kafka"));
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void carriesEveryClientConnectionAndReconnectsClientsAfterItCutsThemAll() throws Exception {
        // given
        String topic = createTopic("proxy-cut-all");
        int cut;
        try (KafkaProducer<String, String> producer = producer("proxy-cut-all-producer")) {
            producer.send(new ProducerRecord<>(topic, "k", "before")).get(30, TimeUnit.SECONDS);

            // when
            cut = kafka.proxy().cutAll();
            producer.send(new ProducerRecord<>(topic, "k", "after")).get(30, TimeUnit.SECONDS);
        }

        // then
        assertThat(kafka.bootstrapServers())
                .isEqualTo("127.0.0.1:" + kafka.proxy().port());
        assertThat(kafka.broker().bootstrapServers()).isEqualTo(kafka.bootstrapServers());
        assertThat(kafka.broker().port()).isNotEqualTo(kafka.proxy().port());
        assertThat(kafka.proxy().relayed(produceFrom("proxy-cut-all-producer"::equals)))
                .isGreaterThanOrEqualTo(2);
        assertThat(cut).isPositive();
        assertThat(kafka.proxy().cuts()).isGreaterThanOrEqualTo(cut);
        assertThat(values(topic)).containsExactly("before", "after");
        assertThat(dataDir.resolve("kafka").resolve("server.properties"))
                .content()
                .containsPattern("(?m)^advertised\\.listeners=PLAINTEXT://127\\.0\\.0\\.1:"
                        + kafka.proxy().port() + ",INTERNAL://127\\.0\\.0\\.1:\\d+$")
                .containsPattern("(?m)^inter\\.broker\\.listener\\.name=INTERNAL$");
    }

    @Test
    void dropsTheAnswerToAnArmedRequestSoTheProducerRetriesWhatTheBrokerAlreadyWroteAndKeepsItOnce() throws Exception {
        // given
        String topic = createTopic("proxy-cut-after-answer");
        String client = "proxy-cut-after-answer-producer";
        CompletableFuture<KafkaProxy.RequestHeader> cut = kafka.proxy().cutAfterAnswer(produceFrom(client::equals));

        // when
        try (KafkaProducer<String, String> producer = producer(client)) {
            producer.send(new ProducerRecord<>(topic, "k", "once")).get(30, TimeUnit.SECONDS);
        }

        // then
        assertThat(cut).isCompleted();
        assertThat(kafka.proxy().relayed(produceFrom(client::equals))).isGreaterThanOrEqualTo(2);
        assertThat(values(topic)).containsExactly("once");
    }

    @Test
    void holdsEveryAnswerAfterAnArmedRequestUntilItCutsTheConnection() throws Exception {
        // given
        String topic = createTopic("proxy-hold");
        String client = "proxy-hold-producer";
        CompletableFuture<KafkaProxy.RequestHeader> held = kafka.proxy().holdAnswer(produceFrom(client::equals));

        try (KafkaProducer<String, String> producer = producer(client)) {
            // when
            var first = producer.send(new ProducerRecord<>(topic, "k", "first"));
            await().atMost(Duration.ofSeconds(30)).until(held::isDone);
            var second = producer.send(new ProducerRecord<>(topic, "k", "second"));
            await().atMost(Duration.ofSeconds(30)).until(() -> kafka.proxy().relayed(produceFrom(client::equals)) >= 2);
            boolean answeredWhileHeld = first.isDone() || second.isDone();
            int cut = kafka.proxy().cutAll();
            first.get(30, TimeUnit.SECONDS);
            second.get(30, TimeUnit.SECONDS);

            // then
            assertThat(answeredWhileHeld).isFalse();
            assertThat(cut).isPositive();
        }
        assertThat(values(topic)).containsExactly("first", "second");
    }

    private static String createTopic(String name) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return name;
    }

    private static KafkaProducer<String, String> producer(String clientId) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG,
                clientId,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class));
    }

    /** Every value of the one-partition {@code topic}, read committed, up to its end offset of now. */
    private static List<String> values(String topic) {
        TopicPartition partition = new TopicPartition(topic, 0);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
                return consumer.position(partition) >= end;
            });
        }
        return values;
    }
}
