package io.polyglot.command.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The lines of an NDJSON body. Lines end with {@code \n} (a {@code \r} before it is dropped); a final newline does
 * not start another line. Blank lines are skipped but still counted, so line numbers match the client's file.
 */
final class BatchLines {

    /** One non-blank line and its 1-based number. */
    record Line(int number, byte[] bytes) {}

    private BatchLines() {}

    /** How many lines the body has, blank ones included. */
    static int count(byte[] body) {
        int lines = 0;
        for (byte b : body) {
            if (b == '\n') {
                lines++;
            }
        }
        return body.length > 0 && body[body.length - 1] != '\n' ? lines + 1 : lines;
    }

    /** The non-blank lines, in order. */
    static List<Line> split(byte[] body) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        int number = 0;
        while (start < body.length) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            number++;
            int stop = end > start && body[end - 1] == '\r' ? end - 1 : end;
            if (!blank(body, start, stop)) {
                lines.add(new Line(number, Arrays.copyOfRange(body, start, stop)));
            }
            start = end + 1;
        }
        return lines;
    }

    private static boolean blank(byte[] body, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = body[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
