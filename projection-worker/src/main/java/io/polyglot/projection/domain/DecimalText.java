package io.polyglot.projection.domain;

import java.math.BigDecimal;

/** Reads a decimal number from an attribute's text, the way every read model stores one: as PostgreSQL numeric. */
final class DecimalText {

    /**
     * Far below the 131,072 digits PostgreSQL's {@code numeric} holds before the point, so that no sum a view keeps of
     * such numbers (a day's temperatures, say, added up batch after batch) can overflow it.
     */
    private static final int MAX_INTEGER_DIGITS = 1_000;

    private static final int NUMERIC_MAX_FRACTION_DIGITS = 16_383;

    private DecimalText() {}

    /**
     * Parses the text as a decimal number. Text that is missing, blank, {@code NA} or not a number, a number written
     * with other than ASCII characters (Java's parser reads other scripts' digits, PostgreSQL's does not), a number
     * of more than 1,000 digits before the point (whose sums could outgrow the 131,072 PostgreSQL's {@code numeric}
     * holds), or one of more than 16,383 digits after it (more than {@code numeric} holds), is no number at all:
     * storing it would fail the whole batch or silently change it.
     *
     * @return the number, or null
     */
    static BigDecimal parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String trimmed = text.trim();
        for (int i = 0; i < trimmed.length(); i++) {
            if (trimmed.charAt(i) > 0x7F) {
                return null;
            }
        }
        BigDecimal value;
        try {
            value = new BigDecimal(trimmed);
        } catch (NumberFormatException e) {
            return null;
        }
        if (value.precision() - value.scale() > MAX_INTEGER_DIGITS) {
            return null;
        }
        if (value.scale() < 0) {
            value = value.setScale(0);
        }
        return value.scale() > NUMERIC_MAX_FRACTION_DIGITS ? null : value;
    }
}
