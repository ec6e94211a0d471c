package io.polyglot.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerRestartTest {
    @TempDir
    Path dataDir;

    @Test
    void keepsRecordsAndPortAcrossARestartAndLeavesNoProcessWhenClosedOrKilled() throws Exception {
        // given
        KafkaBroker first = KafkaBroker.start(dataDir, 0);
        String topic = "restart-test-kept";
        try (Admin admin = KafkaBrokerTest.admin(first)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(new ProducerRecord<>(topic, "k", "before the restart"))
                    .get(30, TimeUnit.SECONDS);
        }

        // when
        first.close();
        boolean firstGone = ProcessHandle.of(first.pid()).isEmpty();
        KafkaBroker second = KafkaBroker.start(dataDir, first.port());
        List<String> kept = KafkaBrokerTest.consumeAll(second, topic, "restart-test-group", 1);
        second.kill();

        // then
        assertThat(firstGone).isTrue();
        assertThat(second.port()).isEqualTo(first.port());
        assertThat(kept).containsExactly("before the restart");
        assertThat(ProcessHandle.of(second.pid())).isEmpty();
        assertThat(KafkaBroker.attach(dataDir)).isEmpty();
    }
}
