package io.polyglot.dashboard.views;

/**
 * The one reading of a whole number the dashboard takes from a path, a query or a form: ASCII digits only, with no
 * sign, no spaces and no digits of other scripts, since {@link Long#parseLong} would read a full-width {@code ５}, an
 * Arabic-Indic {@code ٢} or a {@code +5} as a number nobody typed. None of the numbers read can be negative.
 */
public final class WholeNumber {

    /** The digits of {@link Long#MAX_VALUE}; more cannot be a long, and so many fit an unsigned one. */
    private static final int MAX_DIGITS = 19;

    private WholeNumber() {}

    /**
     * {@code text}, given as {@code parameter}, as a number from {@code min} to {@code max}.
     *
     * @throws BadParameterException naming {@code parameter} when {@code text} is not ASCII digits or is out of range
     */
    public static long parse(String parameter, String text, long min, long max) {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new BadParameterException(parameter, parameter + " '" + text + "' is not a whole number");
        }
        long value = text.length() > MAX_DIGITS ? -1 : Long.parseUnsignedLong(text);
        // a value of 19 digits may pass Long.MAX_VALUE, which reads as negative here
        if (value < min || value > max) {
            throw new BadParameterException(
                    parameter, parameter + " " + text + " is out of range (" + min + " to " + max + ")");
        }
        return value;
    }
}
