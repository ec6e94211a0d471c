package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The generator alone, without a server: the requests here are futures the test completes, because what is under
 * test is when the generator sends and from when it counts, not any server.
 */
class OpenLoopTest {

    @Test
    void sendsAtTheFixedRateForTheWholeDuration() throws InterruptedException {
        // given
        OpenLoop loop = new OpenLoop(1_000, 64);

        // when
        OpenLoop.Latencies latencies =
                loop.run(Duration.ofMillis(300), due -> CompletableFuture.completedFuture(OpenLoop.Outcome.ANSWERED));

        // then
        assertThat(latencies.requests()).isEqualTo(300);
        assertThat(latencies.micros().getTotalCount()).isEqualTo(300);
        assertThat(latencies.failed()).isZero();
    }

    @Test
    void measuresLatencyFromTheDueTimeSoAStalledSenderShowsInTheFigures() throws InterruptedException {
        // given a sender that stalls 100 ms on its first request, each answer itself instant
        OpenLoop loop = new OpenLoop(1_000, 64);
        AtomicBoolean first = new AtomicBoolean(true);

        // when
        OpenLoop.Latencies latencies = loop.run(Duration.ofMillis(300), due -> {
            if (first.getAndSet(false)) {
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
            return CompletableFuture.completedFuture(OpenLoop.Outcome.ANSWERED);
        });

        // then the requests due during the stall count the time they waited
        assertThat(latencies.maxMillis()).isGreaterThanOrEqualTo(90);
        assertThat(latencies.millis(50)).isLessThan(latencies.maxMillis());
    }

    @Test
    void countsLateAndFailedAnswersApart() throws InterruptedException {
        // given
        OpenLoop loop = new OpenLoop(1_000, 64);
        int[] sent = {0};

        // when
        OpenLoop.Latencies latencies = loop.run(Duration.ofMillis(100), due -> switch (sent[0]++ % 4) {
            case 0 -> CompletableFuture.completedFuture(OpenLoop.Outcome.LATE);
            case 1 -> CompletableFuture.failedFuture(new IllegalStateException("refused"));
            default -> CompletableFuture.completedFuture(OpenLoop.Outcome.ANSWERED);
        });

        // then
        assertThat(latencies.late()).isEqualTo(25);
        assertThat(latencies.failed()).isEqualTo(25);
    }
}
