package io.polyglot.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.runtime.InvalidSettingException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ArchiverSettingsTest {

    private static final Map<String, String> CREDENTIALS =
            Map.of("AWS_ACCESS_KEY_ID", "polyglot", "AWS_SECRET_ACCESS_KEY", "not-a-real-secret");

    @Test
    void takesTheDefaultsSuitedToTheLocalStack() {
        // given / when
        ArchiverSettings settings = ArchiverSettings.load(CREDENTIALS, LoggerFactory.getLogger(getClass()));

        // then
        assertThat(settings.topic()).isEqualTo("events.all");
        assertThat(settings.group()).isEqualTo("polyglot-archiver");
        assertThat(settings.store().bucket()).isEqualTo("polyglot-archive");
        assertThat(settings.store().region()).isEqualTo("us-east-1");
        assertThat(settings.store().readBackAfterPut()).isFalse();
        assertThat(settings.store().multipartThresholdBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(settings.store().multipartPartBytes()).isEqualTo(8 * 1024 * 1024);
        assertThat(settings.segmentMaxEvents()).isEqualTo(100);
        assertThat(settings.segmentMaxIdle()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.bufferMaxBytes()).isEqualTo(128L * 1024 * 1024);
        assertThat(settings.warmMaxBytes()).isEqualTo(1024L * 1024 * 1024);
        assertThat(settings.warmDir()).isEqualTo(Path.of("./warm"));
        assertThat(settings.healthHost()).isEqualTo("127.0.0.1");
        assertThat(settings.healthPort()).isEqualTo(8081);
        assertThat(settings.releaseTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void refusesAReleaseTimeoutTheGroupsRebalanceCannotWaitFor() {
        // given a timeout above the bound, and one at the consumer's poll interval
        Map<String, String> tooLong = new HashMap<>(CREDENTIALS);
        tooLong.put("ARCHIVER_RELEASE_TIMEOUT", "46s");
        Map<String, String> pastPollInterval = new HashMap<>(CREDENTIALS);
        pastPollInterval.putAll(
                Map.of("ARCHIVER_RELEASE_TIMEOUT", "20s", "KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS", "20000"));
        Map<String, String> fits = new HashMap<>(CREDENTIALS);
        fits.putAll(Map.of("ARCHIVER_RELEASE_TIMEOUT", "3s", "KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS", "20000"));

        // when / then
        assertThatThrownBy(() -> ArchiverSettings.load(tooLong, LoggerFactory.getLogger(getClass())))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("ARCHIVER_RELEASE_TIMEOUT='PT46S' is invalid");
        assertThatThrownBy(() -> ArchiverSettings.load(pastPollInterval, LoggerFactory.getLogger(getClass())))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("below max.poll.interval.ms (20000 ms)");
        assertThat(ArchiverSettings.load(fits, LoggerFactory.getLogger(getClass()))
                        .releaseTimeout())
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void readsEverySettingAndPassesKafkaConsumerPropertiesThrough() {
        // given
        Map<String, String> env = new HashMap<>(CREDENTIALS);
        env.putAll(Map.of(
                "S3_ENDPOINT", "http://127.0.0.1:9321",
                "SEGMENT_MAX_EVENTS", "7",
                "SEGMENT_MAX_IDLE", "250ms",
                "ARCHIVE_READ_BACK", "true",
                "ARCHIVE_MULTIPART_THRESHOLD", "6291456",
                "ARCHIVE_MULTIPART_PART_SIZE", "5242880",
                "KAFKA_CONSUMER_MAX_POLL_RECORDS", "20"));

        // when
        ArchiverSettings settings = ArchiverSettings.load(env, LoggerFactory.getLogger(getClass()));

        // then
        assertThat(settings.store().endpoint()).isEqualTo(URI.create("http://127.0.0.1:9321"));
        assertThat(settings.segmentMaxEvents()).isEqualTo(7);
        assertThat(settings.segmentMaxIdle()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.store().readBackAfterPut()).isTrue();
        assertThat(settings.store().multipartThresholdBytes()).isEqualTo(6_291_456L);
        assertThat(settings.store().multipartPartBytes()).isEqualTo(5_242_880);
        assertThat(settings.consumerOverrides()).containsEntry("max.poll.records", "20");
    }

    @Test
    void refusesMissingCredentialsAndABadLimitNamingEachSetting() {
        // given
        Map<String, String> env = Map.of("SEGMENT_MAX_EVENTS", "0");

        // when / then
        assertThatThrownBy(() -> ArchiverSettings.load(env, LoggerFactory.getLogger(getClass())))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("AWS_ACCESS_KEY_ID is required")
                .hasMessageContaining("AWS_SECRET_ACCESS_KEY is required")
                .hasMessageContaining("SEGMENT_MAX_EVENTS='0' is invalid");
    }

    @Test
    void neverShowsTheSecretKey() {
        // given
        ArchiverSettings settings = ArchiverSettings.load(CREDENTIALS, LoggerFactory.getLogger(getClass()));

        // when
        String shown = settings.toString();

        // then
        assertThat(shown).doesNotContain("not-a-real-secret").contains("secretAccessKey=****");
    }
}
