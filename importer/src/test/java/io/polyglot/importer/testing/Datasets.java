package io.polyglot.importer.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The real event logs in {@code shared/datasets} beside the repository, which tests read and never copy. */
public final class Datasets {

    private Datasets() {}

    /** The BPI Challenge 2012 log. */
    public static Path bpic2012() {
        return existing("bpic2012/bpic2012.xes.gz");
    }

    /** The helpdesk log. */
    public static Path helpdesk() {
        return existing("helpdesk/helpdesk.xes.gz");
    }

    /** The weather readings. */
    public static Path weather() {
        return existing("weather/weather.csv.gz");
    }

    /** The options that map the weather readings' columns: each station a case, each row one observation. */
    public static List<String> weatherOptions() {
        return List.of(
                "--type",
                "WeatherStation",
                "--case-column",
                "origin",
                "--time-column",
                "time_hour",
                "--activity",
                "WeatherObserved");
    }

    private static Path existing(String relative) {
        String root = System.getProperty("polyglot.root");
        if (root == null) {
            throw new IllegalStateException("system property polyglot.root (the repository root) is not set");
        }
        Path file =
                Path.of(root).resolve("../shared/datasets").resolve(relative).normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the dataset " + file + " is missing; see shared/datasets/README.md");
        }
        return file;
    }
}
