package io.polyglot.archiver;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that stands still until the test moves it, read by the archiver's thread; or, made {@link #ticking}, one
 * that moves on by a step each time it is read.
 */
final class MovableClock extends Clock {

    private final Duration step;
    private Instant now;

    MovableClock(Instant start) {
        this(start, Duration.ZERO);
    }

    private MovableClock(Instant start, Duration step) {
        this.now = start;
        this.step = step;
    }

    /** A clock that reads {@code start} first, then {@code step} later each time it is read again. */
    static MovableClock ticking(Instant start, Duration step) {
        return new MovableClock(start, step);
    }

    synchronized void advance(Duration duration) {
        now = now.plus(duration);
    }

    @Override
    public synchronized Instant instant() {
        Instant read = now;
        now = now.plus(step);
        return read;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the archiver reads instants only");
    }
}
