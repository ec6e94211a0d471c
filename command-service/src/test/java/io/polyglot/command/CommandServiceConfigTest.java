package io.polyglot.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.runtime.InvalidSettingException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandServiceConfigTest {

    @Test
    void usesTheLocalStackDefaultsWhenNothingIsSet() {
        // when
        CommandServiceConfig config = CommandServiceConfig.from(Map.of());

        // then
        assertThat(config.httpHost()).isEqualTo("127.0.0.1");
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.commandMaxBytes()).isEqualTo(1_048_576);
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.batchMaxLines()).isEqualTo(10_000);
        assertThat(config.batchMaxBytes()).isEqualTo(16 * 1_048_576);
    }

    @Test
    void boundsEveryProducerWaitByTheRequestTimeout() {
        // given
        CommandServiceConfig config =
                CommandServiceConfig.from(Map.of("REQUEST_TIMEOUT", "3s", "KAFKA_PRODUCER_LINGER_MS", "20"));

        // when
        Map<String, Object> producer = config.producerProperties();

        // then
        assertThat(producer)
                .containsEntry("max.block.ms", 3_000L)
                .containsEntry("delivery.timeout.ms", 3_000)
                .containsEntry("request.timeout.ms", 2_980)
                .containsEntry("linger.ms", "20")
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", true)
                .containsEntry("max.request.size", 1_048_576 + 65_536);
    }

    @Test
    void refusesAProducerTimeoutThatTheRequestTimeoutOwns() {
        // given
        Map<String, String> env = Map.of("KAFKA_PRODUCER_MAX_BLOCK_MS", "60000");

        // when / then
        assertThatThrownBy(() -> CommandServiceConfig.from(env))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("max.block.ms=60000")
                .hasMessageContaining("REQUEST_TIMEOUT");
    }

    @Test
    void refusesToStartWithWeakenedAcks() {
        // given
        Map<String, String> env = Map.of("KAFKA_PRODUCER_ACKS", "1");

        // when / then
        assertThatThrownBy(() -> CommandServiceConfig.from(env))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("acks=1");
    }

    @Test
    void namesTheKeyTheValueAndTheReasonOfABadSetting() {
        // given
        Map<String, String> env = Map.of("BATCH_MAX_LINES", "lots");

        // when / then
        assertThatThrownBy(() -> CommandServiceConfig.from(env))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("BATCH_MAX_LINES='lots'")
                .hasMessageContaining("whole number");
    }
}
