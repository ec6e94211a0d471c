package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a drain looks at a worker. The worker is a stand-in: a {@code sleep} process for the pid and an HTTP server on
 * loopback serving its {@code /metrics}, which counts the scrapes; a real worker cannot count what the bench asks it.
 */
class WorkerDrainTest {

    private static final String STARTED = "polyglot_events_projected_total";

    @TempDir
    Path logs;

    private final AtomicInteger scrapes = new AtomicInteger();
    private HttpServer metrics;
    private Process sleeping;

    @BeforeEach
    void serveMetrics() throws Exception {
        metrics = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        metrics.createContext("/metrics", exchange -> {
            scrapes.incrementAndGet();
            byte[] body = (STARTED + "{projection=\"loan_applications\"} 1.0\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        metrics.start();
        sleeping = new ProcessBuilder("sleep", "120").start();
    }

    @AfterEach
    void stop() throws Exception {
        metrics.stop(0);
        sleeping.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void scrapesTheStartMetricsOnlyUntilTheWorkerHasStarted() throws Exception {
        // given a worker that has started, whose count rises by 100 events at every look, done after 1,000
        WorkerProcess worker =
                WorkerProcess.of("stand-in", sleeping, metrics.getAddress().getPort(), logs.resolve("w"));
        AtomicLong counted = new AtomicLong();
        AtomicInteger looks = new AtomicInteger();

        // when it is drained with a warm-up of 300 events
        WorkerDrain.Drains drains = WorkerDrain.measure(
                worker, List.of(STARTED), () -> counted.addAndGet(100), 300, () -> looks.incrementAndGet() >= 7);

        // then its metrics were scraped once, at the first look, and both spans were measured
        assertThat(scrapes.get()).isEqualTo(1);
        assertThat(drains.warmup()).isPresent();
        assertThat(drains.warmup().get().events()).isEqualTo(200);
        assertThat(drains.measured().events()).isPositive();
        assertThat(drains.measured().seconds()).isPositive();
    }

    @Test
    void failsAtTheNextLookWhenTheWorkerExits() throws Exception {
        // given a worker that has started and never finishes
        WorkerProcess worker =
                WorkerProcess.of("stand-in", sleeping, metrics.getAddress().getPort(), logs.resolve("w"));
        AtomicLong counted = new AtomicLong();

        // when its process exits during the drain
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sleeping.destroyForcibly();
        });
        killer.start();
        long started = System.nanoTime();

        // then the drain fails at once instead of waiting for its three minutes
        assertThatThrownBy(
                        () -> WorkerDrain.measure(worker, List.of(STARTED), () -> counted.addAndGet(1), 0, () -> false))
                .isInstanceOf(StageFailedException.class)
                .hasMessageContaining("stand-in exited");
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(30));
        killer.join();
    }
}
