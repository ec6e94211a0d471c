package io.polyglot.importer.log;

import java.util.Locale;
import java.util.Optional;

/** The event log formats the importer reads. */
public enum LogFormat {
    /** The IEEE 1849 eXtensible Event Stream, XML. */
    XES,
    /** Comma-separated values with a header row. */
    CSV;

    /** The format a file name announces ({@code .xes}, {@code .xes.gz}, {@code .csv}, {@code .csv.gz}), if any. */
    public static Optional<LogFormat> fromFileName(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - ".gz".length());
        }
        if (name.endsWith(".xes")) {
            return Optional.of(XES);
        }
        if (name.endsWith(".csv")) {
            return Optional.of(CSV);
        }
        return Optional.empty();
    }

    /** The format named on the command line, {@code xes} or {@code csv} in any case. */
    public static Optional<LogFormat> fromName(String name) {
        for (LogFormat format : values()) {
            if (format.name().equalsIgnoreCase(name)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }
}
