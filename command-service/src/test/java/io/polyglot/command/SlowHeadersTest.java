package io.polyglot.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.schemas.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clients that trickle a request's headers, one byte every half second (each gap far shorter than the idle timeout,
 * so that alone would never cut them), are cut at {@code HTTP_HEADER_TIMEOUT} with a 408, and cannot keep the server
 * from serving others: not while they hang on, and not when they hold every connection the server allows.
 */
class SlowHeadersTest {

    private static final Logger log = LoggerFactory.getLogger(SlowHeadersTest.class);

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration BYTE_GAP = Duration.ofMillis(500);
    private static final Duration MARGIN = Duration.ofSeconds(2);
    private static final int MAX_CONNECTIONS = 4;
    /** A normal request on a connection of its own (none kept open between tests, each would take a slot). */
    private static final String HEALTH = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

    private static final String TRICKLED = RawHttp.POST_COMMAND + "X-Slow: " + "s".repeat(200) + "\r\n\r\n{}";

    @TempDir
    static Path dataDir;

    static RunningCommandService running;
    static ScheduledExecutorService ticks;
    static ExecutorService readers;

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(
                dataDir,
                Map.of(
                        "HTTP_IDLE_TIMEOUT", IDLE_TIMEOUT.toMillis() + "ms",
                        "HTTP_HEADER_TIMEOUT", HEADER_TIMEOUT.toMillis() + "ms",
                        "HTTP_MAX_CONNECTIONS", Integer.toString(MAX_CONNECTIONS)));
        ticks = Executors.newScheduledThreadPool(2);
        readers = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        ticks.shutdownNow();
        readers.shutdownNow();
        running.close();
    }

    @Test
    void cutsEverySlowHeaderConnectionAtTheHeaderTimeoutWhileServingANormalRequest() throws Exception {
        // given: connections that trickle their headers, fewer than the connection limit
        long before = running.committedCount(Topics.EVENTS_ALL);
        List<Trickle> trickles = new ArrayList<>();
        for (int i = 0; i < MAX_CONNECTIONS - 1; i++) {
            trickles.add(Trickle.start());
        }

        // when: a normal request is sent while they hang on
        long started = System.nanoTime();
        String normal = RawHttp.exchange(running.service.port(), HEALTH);
        Duration normalTook = since(started);

        // then: the normal one is served at once, the slow ones each get 408 at their deadline and are closed
        assertThat(normal).startsWith("HTTP/1.1 200");
        assertThat(normalTook).isLessThan(HEADER_TIMEOUT);
        for (Trickle trickle : trickles) {
            Cut cut = trickle.cut().get(HEADER_TIMEOUT.plus(MARGIN).toMillis() * 2, TimeUnit.MILLISECONDS);
            log.info(
                    "Slow headers ({} connections, below the limit) cut after {} ms, {} bytes sent;"
                            + " a normal request took {} ms",
                    trickles.size(),
                    cut.took().toMillis(),
                    cut.bytesSent(),
                    normalTook.toMillis());
            assertThat(cut.took()).isBetween(HEADER_TIMEOUT.minusMillis(100), HEADER_TIMEOUT.plus(MARGIN));
            assertThat(cut.bytesSent()).isLessThan(TRICKLED.length());
            assertThat(cut.answer()).hasValueSatisfying(answer -> {
                assertThat(answer.status()).isEqualTo(408);
                assertThat(answer.bodyText()).contains("urn:polyglot:problem:request-timeout");
            });
        }
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before);
    }

    @Test
    void servesAgainWithinTheHeaderTimeoutWhenSlowHeaderConnectionsHoldEveryConnectionAllowed() throws Exception {
        // given: as many trickling connections as the server allows at once
        List<Trickle> trickles = new ArrayList<>();
        for (int i = 0; i < MAX_CONNECTIONS; i++) {
            trickles.add(Trickle.start());
        }
        long started = trickles.get(0).startedNanos();

        // when: a normal request comes in behind them
        String normal = RawHttp.exchange(running.service.port(), HEALTH);
        Duration normalTook = since(started);

        // then: the slow ones are cut and the normal one is served, all within the header timeout and a margin
        assertThat(normal).startsWith("HTTP/1.1 200");
        assertThat(normalTook).isLessThan(HEADER_TIMEOUT.plus(MARGIN));
        for (Trickle trickle : trickles) {
            Cut cut = trickle.cut().get(HEADER_TIMEOUT.plus(MARGIN).toMillis() * 2, TimeUnit.MILLISECONDS);
            log.info(
                    "Slow headers (all {} connections allowed) cut after {} ms;"
                            + " the request behind them served after {} ms",
                    trickles.size(),
                    cut.took().toMillis(),
                    normalTook.toMillis());
            assertThat(cut.took()).isLessThan(HEADER_TIMEOUT.plus(MARGIN));
            assertThat(cut.answer())
                    .hasValueSatisfying(answer -> assertThat(answer.status()).isEqualTo(408));
        }
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    /** How a trickling connection ended: after how long, with how many bytes sent, and what it was answered. */
    record Cut(Duration took, int bytesSent, Optional<RawHttp.Answer> answer) {}

    /** A connection sending {@link #TRICKLED} one byte per {@link #BYTE_GAP}, and reading until it is answered. */
    record Trickle(long startedNanos, CompletableFuture<Cut> cut) {

        static Trickle start() throws IOException {
            Socket socket = RawHttp.connect(running.service.port(), 30_000);
            OutputStream out = socket.getOutputStream();
            AtomicInteger sent = new AtomicInteger();
            byte[] bytes = TRICKLED.getBytes(StandardCharsets.US_ASCII);
            long started = System.nanoTime();
            ScheduledFuture<?> writes = ticks.scheduleAtFixedRate(
                    () -> {
                        try {
                            int next = sent.get();
                            if (next < bytes.length) {
                                out.write(bytes[next]);
                                out.flush();
                                sent.incrementAndGet();
                            }
                        } catch (IOException e) {
                            // the server closed the connection: the reader sees it too
                            throw new UncheckedIOException(e);
                        }
                    },
                    0,
                    BYTE_GAP.toMillis(),
                    TimeUnit.MILLISECONDS);
            CompletableFuture<Cut> cut = CompletableFuture.supplyAsync(
                    () -> {
                        try (socket) {
                            Optional<RawHttp.Answer> answer = RawHttp.readAnswer(socket.getInputStream());
                            Duration took = since(started);
                            writes.cancel(false);
                            return new Cut(took, sent.get(), answer);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    readers);
            return new Trickle(started, cut);
        }
    }
}
