package io.polyglot.importer.delivery;

import java.time.Duration;
import java.util.Optional;

/**
 * How often and how patiently a request is sent again after a transient failure (connection refused or reset, a
 * timeout, {@code 503 kafka-unavailable}) or with lines still undecided ({@code pending}): exponential backoff from
 * {@code initialBackoff}, doubling up to {@code maxBackoff}, honouring a {@code Retry-After} the server sends within
 * the same cap, for as long as {@code retryFor} allows from the request's first attempt and at most
 * {@code maxAttempts} times.
 *
 * @param maxAttempts how many times a request is sent at most, the first time included
 * @param initialBackoff the wait before the second attempt
 * @param maxBackoff the longest wait between two attempts
 * @param retryFor how long after its first attempt a request may still be sent again: long enough to ride out a
 *     restart of the command service
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration retryFor) {

    /** Checks the bounds. */
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initial <= max");
        }
        if (retryFor.isNegative()) {
            throw new IllegalArgumentException("retryFor must not be negative, not " + retryFor);
        }
    }

    /**
     * Whether a request that failed on attempt {@code attempt} (1-based), {@code elapsed} after its first attempt, may
     * be sent again after waiting {@code wait}: only when the attempt after the wait still starts within
     * {@code retryFor}.
     */
    public boolean mayRetryAfter(int attempt, Duration elapsed, Duration wait) {
        return attempt < maxAttempts && elapsed.plus(wait).compareTo(retryFor) <= 0;
    }

    /** The wait after failed attempt {@code attempt} (1-based), given the server's {@code Retry-After}, if any. */
    public Duration backoffAfter(int attempt, Optional<Duration> retryAfter) {
        Duration backoff = initialBackoff;
        for (int i = 1; i < attempt && backoff.compareTo(maxBackoff) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        if (retryAfter.isPresent() && retryAfter.get().compareTo(backoff) > 0) {
            backoff = retryAfter.get();
        }
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
    }
}
