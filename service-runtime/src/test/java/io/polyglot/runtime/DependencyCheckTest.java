package io.polyglot.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The check behind readiness, with checks that are plain functions: one that counts, one that hangs until told. */
class DependencyCheckTest {

    @Test
    void runsTheCheckOncePerIntervalHoweverOftenReadinessIsAsked() {
        // given
        AtomicInteger checks = new AtomicInteger();
        try (DependencyCheck check = new DependencyCheck(
                "counted",
                () -> checks.incrementAndGet() > 0,
                Duration.ofMinutes(1),
                Duration.ofSeconds(5),
                () -> {})) {
            // when
            for (int asked = 0; asked < 50; asked++) {
                assertThat(check.passes()).isTrue();
            }

            // then
            assertThat(checks).hasValue(1);
        }
    }

    @Test
    void aCheckThatHangsCountsAsFailedAfterTheTimeoutAndPassesOnceItAnswers() throws Exception {
        // given a check that hangs until released
        CountDownLatch answer = new CountDownLatch(1);
        try (DependencyCheck check = new DependencyCheck(
                "hanging",
                () -> {
                    try {
                        return answer.await(1, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                },
                Duration.ZERO,
                Duration.ofMillis(300),
                () -> {})) {
            // when
            long asked = System.nanoTime();
            boolean passed = check.passes();

            // then
            assertThat(passed).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(2));

            // and once the dependency answers
            answer.countDown();
            await().atMost(Duration.ofSeconds(5)).until(check::passes);
        }
    }
}
