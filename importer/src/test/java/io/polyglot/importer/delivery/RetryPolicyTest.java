package io.polyglot.importer.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy =
            new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofMinutes(10));

    @Test
    void doublesTheBackoffUpToItsCap() {
        assertThat(policy.backoffAfter(1, Optional.empty())).isEqualTo(Duration.ofMillis(500));
        assertThat(policy.backoffAfter(2, Optional.empty())).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.backoffAfter(3, Optional.empty())).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoffAfter(4, Optional.empty())).isEqualTo(Duration.ofSeconds(3));
        assertThat(policy.backoffAfter(5, Optional.empty())).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void waitsAsLongAsTheServerAsksWithinTheCap() {
        assertThat(policy.backoffAfter(1, Optional.of(Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoffAfter(1, Optional.of(Duration.ofSeconds(60)))).isEqualTo(Duration.ofSeconds(3));
        assertThat(policy.backoffAfter(2, Optional.of(Duration.ZERO))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void allowsAsManyAttemptsAsConfigured() {
        assertThat(policy.mayRetryAfter(5, Duration.ofSeconds(10), Duration.ofSeconds(3)))
                .isTrue();
        assertThat(policy.mayRetryAfter(6, Duration.ofSeconds(10), Duration.ofSeconds(3)))
                .isFalse();
    }

    @Test
    void resendsOnlyWhileTheNextAttemptStartsWithinRetryFor() {
        // given as many attempts as wanted, for 30 s
        RetryPolicy forHalfAMinute = new RetryPolicy(
                Integer.MAX_VALUE, Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(30));

        // when / then: a wait that ends at 30 s is taken, one that ends later is not
        assertThat(forHalfAMinute.mayRetryAfter(100, Duration.ofSeconds(20), Duration.ofSeconds(10)))
                .isTrue();
        assertThat(forHalfAMinute.mayRetryAfter(100, Duration.ofMillis(20_001), Duration.ofSeconds(10)))
                .isFalse();
    }
}
