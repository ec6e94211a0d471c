package io.polyglot.deploy;

import java.util.Map;
import java.util.stream.Collectors;

/** Turns settings into {@code KEY='value'} lines that a POSIX shell can {@code eval}. */
final class ShellWords {
    private ShellWords() {}

    /** {@code value} in single quotes; a single quote inside becomes {@code '\''} (close, escaped quote, reopen). */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    static String assignments(Map<String, String> env) {
        return env.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + quote(entry.getValue()))
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
