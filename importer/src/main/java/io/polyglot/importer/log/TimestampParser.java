package io.polyglot.importer.log;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a log's time text into the ISO-8601-with-offset text the command service reads as an instant.
 *
 * <p>Text that already is ISO-8601 with an offset (every XES log, weather's {@code time_hour}) passes through
 * unchanged. Otherwise a pattern and a zone, when given, say how to read it; the zone is needed only when the text
 * carries no offset of its own.
 */
public final class TimestampParser {

    private final DateTimeFormatter pattern;
    private final ZoneId zone;

    private TimestampParser(DateTimeFormatter pattern, ZoneId zone) {
        this.pattern = pattern;
        this.zone = zone;
    }

    /** Accepts ISO-8601 with an offset only. */
    public static TimestampParser isoWithOffset() {
        return new TimestampParser(null, null);
    }

    /**
     * @param pattern a {@link DateTimeFormatter} pattern, or {@code null} for ISO-8601
     * @param zone the zone of times written without an offset, or {@code null} to refuse such times
     * @throws IllegalArgumentException when the pattern is not a valid pattern
     */
    public static TimestampParser of(String pattern, ZoneId zone) {
        DateTimeFormatter formatter = pattern == null ? null : DateTimeFormatter.ofPattern(pattern, Locale.ROOT);
        return new TimestampParser(formatter, zone);
    }

    /** The instant text for {@code text}, or empty when it cannot be read as a time with a known offset. */
    public Optional<String> parse(String text) {
        try {
            return Optional.of(pattern == null ? parseIso(text) : parsePattern(text));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    private String parseIso(String text) {
        try {
            OffsetDateTime.parse(text);
            return text;
        } catch (DateTimeParseException withoutOffset) {
            if (zone == null) {
                throw withoutOffset;
            }
            return format(LocalDateTime.parse(text).atZone(zone));
        }
    }

    private String parsePattern(String text) {
        DateTimeFormatter formatter = zone == null ? pattern : pattern.withZone(zone);
        TemporalAccessor parsed = formatter.parseBest(text, ZonedDateTime::from, LocalDate::from);
        if (parsed instanceof LocalDate date) {
            if (zone == null) {
                throw new DateTimeException("a date without a time needs a zone");
            }
            return format(date.atStartOfDay(zone));
        }
        return format((ZonedDateTime) parsed);
    }

    private static String format(ZonedDateTime time) {
        return time.toOffsetDateTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}
