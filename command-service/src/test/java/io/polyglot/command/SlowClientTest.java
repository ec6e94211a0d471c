package io.polyglot.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.schemas.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client that stops sending its body cannot hold a request open. */
class SlowClientTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);

    @TempDir
    static Path dataDir;

    static RunningCommandService running;

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(dataDir, Map.of("HTTP_IDLE_TIMEOUT", IDLE_TIMEOUT.toMillis() + "ms"));
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    @Test
    void givesUpOnABodyThatStopsArrivingAndProducesNothing() throws IOException {
        // given: a command announced as 1000 bytes of which only a few ever arrive
        long before = running.committedCount(Topics.EVENTS_ALL);
        String request = "POST /v1/commands HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n{\"commandId\":";
        long started = System.nanoTime();

        // when
        String answer = RawHttp.exchange(running.service.port(), request);

        // then
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isLessThan(IDLE_TIMEOUT.plusSeconds(5));
        assertThat(answer).startsWith("HTTP/1.1 408").contains("urn:polyglot:problem:request-timeout");
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before);
    }
}
