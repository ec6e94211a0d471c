package io.polyglot.command;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock moved by a shift a test sets, to stand for a server that gets to a request long after it arrived
 * (Jetty stamps a request with the system time; the service compares that with its injected clock).
 */
final class ShiftedClock extends Clock {

    private volatile Duration shift = Duration.ZERO;

    void shiftBy(Duration by) {
        shift = by;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(shift);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the service reads instants only");
    }
}
