package io.polyglot.command;

import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.schemas.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that stops sending its body, or sends it a byte at a time, cannot hold a request open; a body that has
 * arrived whole is read however late the server gets to it.
 */
class SlowClientTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration BODY_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration MARGIN = Duration.ofSeconds(3);

    @TempDir
    static Path dataDir;

    static final ShiftedClock clock = new ShiftedClock();
    static RunningCommandService running;
    static ScheduledExecutorService ticks;

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(
                dataDir,
                Map.of(
                        "HTTP_IDLE_TIMEOUT", IDLE_TIMEOUT.toMillis() + "ms",
                        "HTTP_BODY_TIMEOUT", BODY_TIMEOUT.toMillis() + "ms"),
                clock);
        ticks = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void unshift() {
        clock.shiftBy(Duration.ZERO);
    }

    @AfterAll
    static void stop() {
        ticks.shutdownNow();
        running.close();
    }

    @Test
    void givesUpOnABodyThatStopsArrivingAndProducesNothing() throws IOException {
        // given: a command announced as 1000 bytes of which only a few ever arrive
        long before = running.committedCount(Topics.EVENTS_ALL);
        String request = RawHttp.POST_COMMAND + "Content-Length: 1000\r\n\r\n{\"commandId\":";
        long started = System.nanoTime();

        // when
        String answer = RawHttp.exchange(running.service.port(), request);

        // then
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isLessThan(IDLE_TIMEOUT.plus(MARGIN));
        assertThat(answer).startsWith("HTTP/1.1 408").contains("urn:polyglot:problem:request-timeout");
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before);
    }

    @Test
    void cutsABodyThatTricklesInAtItsDeadlineAlthoughItsBytesKeepComing() throws IOException {
        // given: a byte every 200 ms, often enough that the idle timeout never fires
        byte[] body = RunningCommandService.JSON.writeValueAsBytes(recordActivity("trickle-1", "trickle-1"));
        String head = RawHttp.POST_COMMAND + "Content-Length: " + body.length + "\r\n\r\n";
        try (Socket socket = RawHttp.connect(running.service.port(), 30_000)) {
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();
            AtomicInteger next = new AtomicInteger();
            var trickle = ticks.scheduleAtFixedRate(
                    () -> {
                        try {
                            out.write(body[next.getAndIncrement()]);
                            out.flush();
                        } catch (IOException e) {
                            throw new IllegalStateException("the server closed the connection", e);
                        }
                    },
                    0,
                    200,
                    TimeUnit.MILLISECONDS);

            // when
            Optional<RawHttp.Answer> answer = RawHttp.readAnswer(socket.getInputStream());
            trickle.cancel(false);

            // then: cut at the deadline, long before the whole body could have arrived
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(took).isBetween(BODY_TIMEOUT.minusMillis(500), BODY_TIMEOUT.plus(MARGIN));
            assertThat(next.get()).isLessThan(body.length);
            assertThat(answer).hasValueSatisfying(a -> {
                assertThat(a.status()).isEqualTo(408);
                assertThat(a.bodyText()).contains("urn:polyglot:problem:request-timeout");
            });
        }
    }

    @Test
    void acceptsAWholeBodyThatIsReadLongAfterItsDeadline() {
        // given: the server gets to every request an hour after its headers arrived
        clock.shiftBy(Duration.ofHours(1));

        // when: a small command that was sent whole
        HttpResponse<String> response =
                running.postJson(recordActivity("late-1", "late-1").toString());

        // then: its body is read, not refused for being late
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(RunningCommandService.json(response).get("status").asText()).isEqualTo("accepted");
    }

    @Test
    void refusesAnUnfinishedBodyAtOnceWhenTheServerGetsToItAfterItsDeadline() throws IOException {
        // given: the server gets to every request an hour after its headers arrived
        clock.shiftBy(Duration.ofHours(1));
        String request = RawHttp.POST_COMMAND + "Content-Length: 1000\r\n\r\n{\"commandId\":";
        long started = System.nanoTime();

        // when
        String answer = RawHttp.exchange(running.service.port(), request);

        // then: what had arrived is read, then the rest is not waited for
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(IDLE_TIMEOUT);
        assertThat(answer).startsWith("HTTP/1.1 408").contains("urn:polyglot:problem:request-timeout");
    }
}
