package io.polyglot.runtime;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations as people write them in settings: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}, or
 * ISO-8601.
 */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("^(\\d+)(ms|s|m|h|d)$");

    private Durations() {}

    /** The duration {@code text} stands for; throws {@link IllegalArgumentException} naming the accepted forms. */
    public static Duration parse(String text) {
        String trimmed = text.trim();
        Matcher m = SHORT.matcher(trimmed);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(trimmed);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected a duration such as 250ms, 5s, 2m, 1h, 7d or PT5S");
        }
    }
}
