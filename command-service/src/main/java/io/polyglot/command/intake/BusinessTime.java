package io.polyglot.command.intake;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Reads a business time as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} does, with the same result for every text.
 *
 * <p>The formatter's general parser costs more than the rest of a command's validation. Nearly every command sends
 * one shape, {@code 2011-10-01T00:38:44.546+02:00} (seconds, an optional fraction of 1 to 9 digits, {@code Z} or an
 * offset in hours and minutes), so that shape is read by hand; any other text, and any text of that shape whose
 * values are out of range, goes to the formatter, which accepts or refuses it as before.
 */
final class BusinessTime {

    /** {@code yyyy-MM-ddTHH:mm:ss}: the fixed part of the shape read by hand. */
    private static final int DATE_TIME_LENGTH = 19;

    private static final int OFFSET_LENGTH = 6;

    private BusinessTime() {}

    /** @throws java.time.format.DateTimeParseException when the formatter refuses {@code text} */
    static OffsetDateTime parse(String text) {
        OffsetDateTime common = commonShape(text);
        return common != null ? common : OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    /** The time in {@code text} when it has the common shape with valid values, else null. */
    private static OffsetDateTime commonShape(String text) {
        int length = text.length();
        if (length < DATE_TIME_LENGTH + 1 || !fixedPartHasShape(text)) {
            return null;
        }
        int at = DATE_TIME_LENGTH;
        int nanos = 0;
        if (text.charAt(at) == '.') {
            int digits = 0;
            at++;
            while (at < length && isDigit(text.charAt(at)) && digits < 9) {
                nanos = nanos * 10 + (text.charAt(at) - '0');
                digits++;
                at++;
            }
            if (digits == 0) {
                return null;
            }
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        ZoneOffset offset = offset(text, at);
        if (offset == null) {
            return null;
        }
        try {
            LocalDateTime local = LocalDateTime.of(
                    number(text, 0, 4),
                    number(text, 5, 2),
                    number(text, 8, 2),
                    number(text, 11, 2),
                    number(text, 14, 2),
                    number(text, 17, 2),
                    nanos);
            return OffsetDateTime.of(local, offset);
        } catch (DateTimeException e) {
            // Out of range (a 30th of February, hour 24): the formatter gives the refusal.
            return null;
        }
    }

    private static boolean fixedPartHasShape(String text) {
        for (int i = 0; i < DATE_TIME_LENGTH; i++) {
            char c = text.charAt(i);
            boolean fits = switch (i) {
                case 4, 7 -> c == '-';
                case 10 -> c == 'T';
                case 13, 16 -> c == ':';
                default -> isDigit(c);
            };
            if (!fits) {
                return false;
            }
        }
        return true;
    }

    /** The offset that ends {@code text} at {@code at}: {@code Z} or {@code +HH:MM}/{@code -HH:MM}; else null. */
    private static ZoneOffset offset(String text, int at) {
        int rest = text.length() - at;
        if (rest == 1 && text.charAt(at) == 'Z') {
            return ZoneOffset.UTC;
        }
        if (rest != OFFSET_LENGTH) {
            return null;
        }
        char sign = text.charAt(at);
        if ((sign != '+' && sign != '-')
                || !isDigit(text.charAt(at + 1))
                || !isDigit(text.charAt(at + 2))
                || text.charAt(at + 3) != ':'
                || !isDigit(text.charAt(at + 4))
                || !isDigit(text.charAt(at + 5))) {
            return null;
        }
        int hours = number(text, at + 1, 2);
        int minutes = number(text, at + 4, 2);
        try {
            return sign == '+'
                    ? ZoneOffset.ofHoursMinutes(hours, minutes)
                    : ZoneOffset.ofHoursMinutes(-hours, -minutes);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static int number(String text, int from, int digits) {
        int value = 0;
        for (int i = from; i < from + digits; i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
