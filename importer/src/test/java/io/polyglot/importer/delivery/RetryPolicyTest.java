package io.polyglot.importer.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(3));

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
        assertThat(policy.mayRetryAfter(5)).isTrue();
        assertThat(policy.mayRetryAfter(6)).isFalse();
    }
}
