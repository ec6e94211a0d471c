package io.polyglot.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * One setting of a service, declared once: its environment variable, how its text becomes a value (validation
 * included), its default and a line of doc.
 *
 * @param <T> the type of the value
 */
public final class Setting<T> {

    private final String name;
    private final String defaultText;
    private final String doc;
    private final boolean secret;
    private final Function<String, T> parser;

    private Setting(String name, String defaultText, String doc, boolean secret, Function<String, T> parser) {
        this.name = Objects.requireNonNull(name);
        this.defaultText = defaultText;
        this.doc = Objects.requireNonNull(doc);
        this.secret = secret;
        this.parser = Objects.requireNonNull(parser);
    }

    /** Free text; {@code defaultText} null means the setting is required. */
    public static Setting<String> text(String name, String defaultText, String doc) {
        return new Setting<>(name, defaultText, doc, false, Function.identity());
    }

    /** Text that is never logged or shown; {@code defaultText} null means required. */
    public static Setting<String> secret(String name, String defaultText, String doc) {
        return new Setting<>(name, defaultText, doc, true, Function.identity());
    }

    /** A whole number within {@code [min, max]}. */
    public static Setting<Integer> integer(String name, int defaultValue, int min, int max, String doc) {
        return new Setting<>(name, Integer.toString(defaultValue), doc, false, text -> {
            int value;
            try {
                value = Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number");
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max);
            }
            return value;
        });
    }

    /** A TCP port, 0 meaning "pick a free one". */
    public static Setting<Integer> port(String name, int defaultValue, String doc) {
        return integer(name, defaultValue, 0, 65_535, doc);
    }

    /** A positive duration such as {@code 5s} or {@code PT5S}. */
    public static Setting<Duration> duration(String name, String defaultText, String doc) {
        return new Setting<>(name, defaultText, doc, false, text -> {
            Duration value = Durations.parse(text);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("must be positive");
            }
            return value;
        });
    }

    /** {@code true} or {@code false}. */
    public static Setting<Boolean> flag(String name, boolean defaultValue, String doc) {
        return new Setting<>(name, Boolean.toString(defaultValue), doc, false, text -> {
            String t = text.trim().toLowerCase(java.util.Locale.ROOT);
            if (!t.equals("true") && !t.equals("false")) {
                throw new IllegalArgumentException("expected true or false");
            }
            return Boolean.parseBoolean(t);
        });
    }

    public String name() {
        return name;
    }

    /** The default as text, or null when the setting is required. */
    public String defaultText() {
        return defaultText;
    }

    public String doc() {
        return doc;
    }

    public boolean isSecret() {
        return secret;
    }

    T parse(String text) {
        return parser.apply(text);
    }

    @Override
    public String toString() {
        return name;
    }
}
