package io.polyglot.command.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** The moment by which a request must have its answer, read from an injected clock. */
record Deadline(Clock clock, Instant at) {

    static Deadline after(Clock clock, Duration timeout) {
        return new Deadline(clock, clock.instant().plus(timeout));
    }

    Duration remaining() {
        Duration left = Duration.between(clock.instant(), at);
        return left.isNegative() ? Duration.ZERO : left;
    }

    boolean expired() {
        return !clock.instant().isBefore(at);
    }
}
