package io.polyglot.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pauses a JVM wrote with {@code -Xlog:gc:file=...} (unified logging, tag {@code gc} at info), e.g. {@code
 * [1.234s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 25M->4M(256M) 4.567ms} or {@code GC(9) Pause
 * Full (G1 Compaction Pause) 250M->200M(256M) 345.678ms}. Concurrent phases are not pauses and are not counted.
 */
final class GcLog {
    private static final Pattern PAUSE = Pattern.compile("GC\\((\\d+)\\) Pause (\\w+).*?(\\d+(?:\\.\\d+)?)ms\\s*$");

    private GcLog() {}

    /**
     * The pauses of GCs numbered above {@code afterGc}.
     *
     * @param lastGc the highest GC number seen, for the next call's {@code afterGc}
     * @param full full collections
     * @param others young, mixed, remark and cleanup pauses
     * @param totalMillis all pauses together
     * @param fullMillis the full collections' pauses together
     * @param maxMillis the longest pause
     */
    record Pauses(long lastGc, long full, long others, double totalMillis, double fullMillis, double maxMillis) {}

    static Pauses read(Path file, long afterGc) throws IOException {
        if (!Files.isRegularFile(file)) {
            return new Pauses(afterGc, 0, 0, 0, 0, 0);
        }
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), afterGc);
    }

    static Pauses parse(List<String> lines, long afterGc) {
        long last = afterGc;
        long full = 0;
        long others = 0;
        double total = 0;
        double fullMillis = 0;
        double max = 0;
        for (String line : lines) {
            Matcher pause = PAUSE.matcher(line);
            if (!pause.find()) {
                continue;
            }
            long gc = Long.parseLong(pause.group(1));
            if (gc <= afterGc) {
                continue;
            }
            last = Math.max(last, gc);
            double millis = Double.parseDouble(pause.group(3));
            if (pause.group(2).equals("Full")) {
                full++;
                fullMillis += millis;
            } else {
                others++;
            }
            total += millis;
            max = Math.max(max, millis);
        }
        return new Pauses(last, full, others, total, fullMillis, max);
    }
}
