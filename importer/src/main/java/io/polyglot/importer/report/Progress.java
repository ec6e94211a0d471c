package io.polyglot.importer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Tells on stderr how an import goes: events sent, events per second and, when the file's size is known, the share of
 * the file read (for a {@code .gz}, compressed bytes read against the compressed size).
 *
 * <p>On a terminal it redraws one bar line in place a few times a second; elsewhere (a pipe, a log file, CI) it writes
 * a plain line every few seconds, with no control characters. For a program that runs the importer (the dashboard's
 * seed page) it writes one JSON object per line instead, every second and once more at the end.
 */
public final class Progress implements AutoCloseable {

    /** How progress is shown. */
    public enum Mode {
        /** A bar redrawn in place: for a terminal. */
        BAR,
        /** A plain line every few seconds: for pipes and log files. */
        LINES,
        /** One JSON object per line, every second and at the end: for programs that follow the import. */
        JSON,
        /** Nothing. */
        OFF
    }

    /**
     * The counts progress shows; a JSON line carries them all, the text forms only the events sent.
     *
     * @param read the events read from the log so far
     * @param sent the events sent so far
     * @param accepted the events the command service accepted so far
     * @param rejected the events rejected so far, locally or by the command service
     */
    public record Counts(LongSupplier read, LongSupplier sent, LongSupplier accepted, LongSupplier rejected) {

        /** The counts of {@code summary}, read as it goes. */
        public static Counts of(ImportSummary summary) {
            return new Counts(summary::readCount, summary::sentCount, summary::acceptedCount, summary::rejectedCount);
        }
    }

    private static final Duration BAR_INTERVAL = Duration.ofMillis(250);
    private static final Duration JSON_INTERVAL = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BAR_WIDTH = 30;

    private final Mode mode;
    private final PrintStream err;
    private final Clock clock;
    private final Counts counts;
    private final LongSupplier bytesRead;
    private final long totalBytes;
    private final Duration lineInterval;
    private Instant started;
    private ScheduledExecutorService ticker;
    private boolean barShown;
    private boolean closed;

    /** Progress that knows only the events sent: a JSON line then counts nothing as read, accepted or rejected. */
    public Progress(
            Mode mode,
            PrintStream err,
            Clock clock,
            LongSupplier sent,
            LongSupplier bytesRead,
            long totalBytes,
            Duration lineInterval) {
        this(mode, err, clock, new Counts(() -> 0, sent, () -> 0, () -> 0), bytesRead, totalBytes, lineInterval);
    }

    /**
     * @param mode how to show progress
     * @param err where to write it
     * @param clock the clock rates are measured with
     * @param counts the events read, sent, accepted and rejected so far
     * @param bytesRead the file's bytes read so far
     * @param totalBytes the file's size, or 0 when unknown
     * @param lineInterval how often a plain line is written in {@link Mode#LINES}
     */
    public Progress(
            Mode mode,
            PrintStream err,
            Clock clock,
            Counts counts,
            LongSupplier bytesRead,
            long totalBytes,
            Duration lineInterval) {
        this.mode = mode;
        this.err = err;
        this.clock = clock;
        this.counts = counts;
        this.bytesRead = bytesRead;
        this.totalBytes = totalBytes;
        this.lineInterval = lineInterval;
        this.started = clock.instant();
    }

    /** Starts showing progress in the background; once closed, it shows nothing more. */
    public synchronized void start() {
        started = clock.instant();
        if (mode == Mode.OFF || closed) {
            return;
        }
        Duration interval = switch (mode) {
            case BAR -> BAR_INTERVAL;
            case JSON -> JSON_INTERVAL;
            default -> lineInterval;
        };
        ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "import-progress");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleAtFixedRate(this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Writes a message for the user on its own line, without breaking the bar. */
    public synchronized void note(String message) {
        clearBar();
        err.println(
                mode == Mode.JSON ? JSON.createObjectNode().put("note", message).toString() : "import: " + message);
        err.flush();
    }

    /**
     * Stops and writes the last line: on a terminal the final bar, left on its line, in {@link Mode#JSON} the last
     * object. Only the first call writes.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (mode == Mode.BAR) {
            err.print("\r" + render(clock.instant()) + System.lineSeparator());
            err.flush();
            barShown = false;
        }
        if (mode == Mode.JSON) {
            err.println(renderJson(clock.instant()));
            err.flush();
        }
    }

    /**
     * The progress as one JSON object: {@code read}, {@code sent}, {@code accepted}, {@code rejected} (events),
     * {@code bytesRead} and {@code totalBytes} (of the file, 0 when unknown), {@code eventsPerSecond} (sent, since the
     * start) and {@code elapsedMillis}.
     */
    public String renderJson(Instant now) {
        long elapsed = Duration.between(started, now).toMillis();
        long events = counts.sent().getAsLong();
        ObjectNode line = JSON.createObjectNode()
                .put("read", counts.read().getAsLong())
                .put("sent", events)
                .put("accepted", counts.accepted().getAsLong())
                .put("rejected", counts.rejected().getAsLong())
                .put("bytesRead", bytesRead.getAsLong())
                .put("totalBytes", totalBytes)
                .put("eventsPerSecond", elapsed > 0 ? events * 1000 / elapsed : 0)
                .put("elapsedMillis", elapsed);
        return line.toString();
    }

    /** The progress as one line, without control characters. */
    public String render(Instant now) {
        long events = counts.sent().getAsLong();
        Duration elapsed = Duration.between(started, now);
        double seconds = elapsed.toMillis() / 1000.0;
        long rate = seconds > 0 ? Math.round(events / seconds) : 0;
        StringBuilder line = new StringBuilder();
        if (totalBytes > 0) {
            double share = Math.min(1.0, (double) bytesRead.getAsLong() / totalBytes);
            if (mode == Mode.BAR) {
                int filled = (int) Math.round(share * BAR_WIDTH);
                line.append('[')
                        .append("#".repeat(filled))
                        .append(".".repeat(BAR_WIDTH - filled))
                        .append("] ");
            }
            line.append(String.format(Locale.ROOT, "%5.1f%% read, ", share * 100));
        }
        line.append(
                String.format(Locale.ROOT, "%,d events sent, %,d events/s, %s", events, rate, formatDuration(elapsed)));
        return line.toString();
    }

    /** A duration as {@code 1m05s} or {@code 12.3s}. */
    static String formatDuration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }

    private synchronized void tick() {
        // A tick that was waiting while the progress closed would come after the last line.
        if (closed) {
            return;
        }
        if (mode == Mode.JSON) {
            err.println(renderJson(clock.instant()));
            err.flush();
            return;
        }
        String line = render(clock.instant());
        if (mode == Mode.BAR) {
            // \r returns to the start of the line; the padding wipes a longer previous line
            err.print("\r" + line + "   ");
            barShown = true;
        } else {
            err.println("import: " + line);
        }
        err.flush();
    }

    private void clearBar() {
        if (barShown) {
            err.print("\r" + " ".repeat(BAR_WIDTH + 80) + "\r");
            barShown = false;
        }
    }
}
