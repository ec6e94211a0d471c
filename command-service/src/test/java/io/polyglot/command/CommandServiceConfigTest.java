package io.polyglot.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.runtime.InvalidSettingException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
    void boundsTheHttpLayerByDefault() {
        // when
        CommandServiceConfig config = CommandServiceConfig.from(Map.of());

        // then
        assertThat(config.httpIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.httpBodyTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.httpMaxHeaderBytes()).isEqualTo(16_384);
        assertThat(config.httpMaxConnections()).isEqualTo(1_000);
        assertThat(config.httpMaxThreads()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "HTTP_BODY_TIMEOUT=0s",
                "HTTP_MAX_HEADER_BYTES=512",
                "HTTP_MAX_CONNECTIONS=0",
                "HTTP_MAX_THREADS=4"
            })
    void refusesAnHttpLimitOutOfItsRange(String setting) {
        // given
        String[] keyAndValue = setting.split("=");

        // when / then
        assertThatThrownBy(() -> CommandServiceConfig.from(Map.of(keyAndValue[0], keyAndValue[1])))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining(keyAndValue[0]);
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
    void sendsWithoutLingerUnlessTold() {
        // when
        Map<String, Object> producer =
                CommandServiceConfig.from(Map.of("REQUEST_TIMEOUT", "3s")).producerProperties();

        // then
        assertThat(producer).containsEntry("linger.ms", 0).containsEntry("request.timeout.ms", 3_000);
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
    void decidesExactlyOnceWithTheConfiguredCommitIntervalAndRoomForTheLargestCommand() {
        // given
        CommandServiceConfig config = CommandServiceConfig.from(Map.of(
                "DECIDER_COMMIT_INTERVAL",
                "50ms",
                "DECIDER_STATE_DIR",
                "/tmp/d",
                "KAFKA_STREAMS_NUM_STREAM_THREADS",
                "2"));

        // when
        Map<String, Object> streams = config.streamsProperties();

        // then
        assertThat(streams)
                .containsEntry("processing.guarantee", "exactly_once_v2")
                .containsEntry("commit.interval.ms", 50L)
                .containsEntry("state.dir", "/tmp/d")
                .containsEntry("application.id", "polyglot-decider")
                .containsEntry("num.stream.threads", "2")
                .containsEntry("producer.max.request.size", 1_048_576 + 65_536);
    }

    @Test
    void keepsCommandIdsForSevenDaysAndWaitsFiveSecondsForADecisionByDefault() {
        // when
        CommandServiceConfig config = CommandServiceConfig.from(Map.of());

        // then
        assertThat(config.decider().commandIdRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.decider().decisionWait()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.decider().commitInterval()).isEqualTo(Duration.ofMillis(100));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "KAFKA_STREAMS_PROCESSING_GUARANTEE=at_least_once",
                "KAFKA_STREAMS_PRODUCER_ACKS=1",
                "KAFKA_STREAMS_PRODUCER_ENABLE_IDEMPOTENCE=false",
                "KAFKA_STREAMS_ACKS=0"
            })
    void refusesToStartTheDeciderWithAWeakenedGuarantee(String setting) {
        // given
        String[] keyValue = setting.split("=");
        Map<String, String> env = Map.of(keyValue[0], keyValue[1]);

        // when / then
        assertThatThrownBy(() -> CommandServiceConfig.from(env))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("is refused");
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
