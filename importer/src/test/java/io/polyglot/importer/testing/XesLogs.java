package io.polyglot.importer.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small XES logs for tests. */
public final class XesLogs {

    private XesLogs() {}

    /** An XES document of {@code cases} cases named {@code case-1} ... with {@code eventsPerCase} events each. */
    public static String of(int cases, int eventsPerCase) {
        StringBuilder xes = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<log xes.version=\"1.0\" xmlns=\"http://www.xes-standard.org/\">\n");
        for (int c = 1; c <= cases; c++) {
            xes.append("  <trace>\n    <string key=\"concept:name\" value=\"case-")
                    .append(c)
                    .append("\"/>\n");
            xes.append("    <string key=\"AMOUNT_REQ\" value=\"")
                    .append(1000 * c)
                    .append("\"/>\n");
            for (int e = 1; e <= eventsPerCase; e++) {
                xes.append("    <event>\n");
                xes.append("      <string key=\"concept:name\" value=\"step ")
                        .append(e)
                        .append("\"/>\n");
                xes.append("      <string key=\"lifecycle:transition\" value=\"complete\"/>\n");
                xes.append("      <date key=\"time:timestamp\" value=\"2011-10-01T00:")
                        .append(String.format("%02d", e % 60))
                        .append(":00+02:00\"/>\n");
                xes.append("    </event>\n");
            }
            xes.append("  </trace>\n");
        }
        return xes.append("</log>\n").toString();
    }

    /** Writes {@code xes} to {@code file}, gzipped when the name ends in {@code .gz}. */
    public static Path write(Path file, String xes) throws IOException {
        try (OutputStream out = file.toString().endsWith(".gz")
                ? new GZIPOutputStream(Files.newOutputStream(file))
                : Files.newOutputStream(file)) {
            out.write(xes.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }
}
