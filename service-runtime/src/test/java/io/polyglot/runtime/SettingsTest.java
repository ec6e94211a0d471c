package io.polyglot.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SettingsTest {

    private static final Setting<Integer> MAX_EVENTS = Setting.integer("SEGMENT_MAX_EVENTS", 100, 1, 100_000, "cap");
    private static final Setting<Duration> IDLE = Setting.duration("SEGMENT_MAX_IDLE", "5s", "idle seal");
    private static final Setting<String> SECRET = Setting.secret("AWS_SECRET_ACCESS_KEY", null, "the secret");
    private static final Setting<Boolean> READ_BACK = Setting.flag("S3_READ_BACK", false, "read back");

    @Test
    void usesDefaultsAndEnvironmentValues() {
        Settings settings = Settings.load(
                Map.of("SEGMENT_MAX_IDLE", "PT2S", "AWS_SECRET_ACCESS_KEY", "s3cr3t"),
                List.of(MAX_EVENTS, IDLE, SECRET, READ_BACK));

        assertThat(settings.get(MAX_EVENTS)).isEqualTo(100);
        assertThat(settings.get(IDLE)).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.get(SECRET)).isEqualTo("s3cr3t");
        assertThat(settings.get(READ_BACK)).isFalse();
    }

    @Test
    void namesEveryBadSettingWithItsValueAndReason() {
        assertThatThrownBy(() -> Settings.load(
                        Map.of("SEGMENT_MAX_EVENTS", "0", "SEGMENT_MAX_IDLE", "soon", "S3_READ_BACK", "yes"),
                        List.of(MAX_EVENTS, IDLE, SECRET, READ_BACK)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("SEGMENT_MAX_EVENTS='0' is invalid: must be between 1 and 100000")
                .hasMessageContaining("SEGMENT_MAX_IDLE='soon' is invalid")
                .hasMessageContaining("S3_READ_BACK='yes' is invalid")
                .hasMessageContaining("AWS_SECRET_ACCESS_KEY is required");
    }

    @Test
    void neverShowsASecretValue() {
        Setting<Integer> secretNumber = Setting.integer("X", 1, 1, 2, "x");
        assertThatThrownBy(() -> Settings.load(Map.of("X", "9"), List.of(secretNumber)))
                .hasMessageContaining("'9'");

        Settings settings = Settings.load(Map.of("AWS_SECRET_ACCESS_KEY", "s3cr3t"), List.of(SECRET, MAX_EVENTS));

        assertThat(resolvedLine(settings, "settings-test"))
                .contains("AWS_SECRET_ACCESS_KEY=****")
                .contains("SEGMENT_MAX_EVENTS=100 (default)")
                .doesNotContain("s3cr3t");
    }

    @Test
    void logsAnEmptySecretAsEmptyRatherThanMaskedAsIfItHadAValue() {
        Setting<String> token = Setting.secret("POLYGLOT_TOKEN", "", "the token");
        Settings settings = Settings.load(Map.of("AWS_SECRET_ACCESS_KEY", "s3cr3t"), List.of(SECRET, token));

        assertThat(resolvedLine(settings, "settings-test-empty"))
                .contains("AWS_SECRET_ACCESS_KEY=****")
                .contains("POLYGLOT_TOKEN=(empty) (default)")
                .doesNotContain("s3cr3t");
    }

    /** The one line {@code settings} log to a logger of their own named {@code loggerName}. */
    private static String resolvedLine(Settings settings, String loggerName) {
        Logger logger = (Logger) LoggerFactory.getLogger(loggerName);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        settings.logResolved(logger);
        assertThat(appender.list).hasSize(1);
        return appender.list.get(0).getFormattedMessage();
    }

    @Test
    void passesKafkaClientPropertiesThroughByPrefix() {
        Settings settings = Settings.load(
                Map.of("KAFKA_PRODUCER_LINGER_MS", "5", "KAFKA_PRODUCER_BATCH_SIZE", "65536", "KAFKA_CONSUMER_X", "1"),
                List.of());

        assertThat(settings.kafkaPassThrough("KAFKA_PRODUCER_"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("linger.ms", "5", "batch.size", "65536"));
    }

    @Test
    void parsesTheDurationFormsOfTheDesign() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> Durations.parse("5 seconds")).isInstanceOf(IllegalArgumentException.class);
    }
}
