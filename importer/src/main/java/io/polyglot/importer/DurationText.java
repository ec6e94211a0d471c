package io.polyglot.importer;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations the way every setting of the project writes them: {@code 250ms}, {@code 5s}, {@code 2m} or ISO-8601.
 */
public final class DurationText implements ITypeConverter<Duration> {

    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    /**
     * @throws TypeConversionException naming the text when it is none of the accepted forms
     */
    public static Duration parse(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        Matcher matcher = SHORT.matcher(value);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + text + "' is not a duration like 250ms, 5s, 2m or PT5S");
        }
    }
}
