package io.polyglot.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.schemas.Limits;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientConfigTest {

    @Test
    void producersWriteWithAcksAllAndIdempotence() {
        Map<String, Object> config = KafkaClientConfig.producer("127.0.0.1:9092", 1024, Map.of("linger.ms", "5"));

        assertThat(config)
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", true)
                .containsEntry("linger.ms", "5")
                .containsEntry("max.request.size", Limits.recordMaxBytes(1024));
    }

    @Test
    void refusesProducersThatWeakenTheGuarantees() {
        assertThatThrownBy(() -> KafkaClientConfig.producer("b", 1, Map.of("acks", "1")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("acks=1 is refused");
        assertThatThrownBy(() -> KafkaClientConfig.producer("b", 1, Map.of("enable.idempotence", "false")))
                .isInstanceOf(InvalidSettingException.class);
        assertThat(KafkaClientConfig.producer("b", 1, Map.of("acks", "-1"))).containsEntry("acks", "all");
    }

    @Test
    void consumersReadCommittedAndCommitThemselves() {
        Map<String, Object> config = KafkaClientConfig.consumer("b", "polyglot-archiver", Map.of());

        assertThat(config)
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("enable.auto.commit", false)
                .containsEntry("group.id", "polyglot-archiver");
        assertThatThrownBy(() -> KafkaClientConfig.consumer("b", "g", Map.of("enable.auto.commit", "true")))
                .isInstanceOf(InvalidSettingException.class);
        assertThatThrownBy(() -> KafkaClientConfig.consumer("b", "g", Map.of("isolation.level", "read_uncommitted")))
                .isInstanceOf(InvalidSettingException.class);
    }

    @Test
    void topicsAllowEveryRecordTheProducersMayWrite() {
        var topics = TopicSetup.topics(6, (short) 1, Limits.DEFAULT_COMMAND_MAX_BYTES);

        assertThat(topics)
                .extracting(t -> t.name())
                .containsExactly(
                        "events.all", "commands", "commands.decisions", "commands.ids", "events.dlq", "schemas");
        assertThat(topics.get(0).configs())
                .containsEntry("retention.ms", "-1")
                .containsEntry("max.message.bytes", Integer.toString(Limits.recordMaxBytes(1_048_576)));
        assertThat(topics.get(3).configs()).containsEntry("cleanup.policy", "compact");
        assertThat(topics.get(3).numPartitions()).isEqualTo(6);
        assertThat(topics.get(5).configs()).containsEntry("cleanup.policy", "compact");
    }
}
