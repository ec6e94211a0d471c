package io.polyglot.chaos;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * What an imported XES log says, read straight from the file with the JDK's StAX parser and none of the pipeline's
 * code: the cases in file order, each with its events' activity and lifecycle by position. The chaos run compares the
 * topic and the views with it, so a fault that lost, doubled or reordered an event shows up against the file itself.
 *
 * <p>Only the attributes the compared views use are read: a trace's {@code concept:name} (the case id) and an event's
 * {@code concept:name} (activity), {@code lifecycle:transition} and {@code time:timestamp} (ISO-8601 with an offset).
 */
final class LogReference {

    /** One event of a case: its activity, lifecycle (null when the log gives none) and business time. */
    record Step(String activity, String lifecycle, Instant occurredAt) {}

    /** The command the importer sends for the event at {@code position} (1-based) of case {@code caseId}. */
    record Expected(String aggregateType, String caseId, int position) {}

    private static final String CONCEPT_NAME = "concept:name";
    private static final String LIFECYCLE = "lifecycle:transition";
    private static final String TIMESTAMP = "time:timestamp";

    private final String aggregateType;
    private final Map<String, List<Step>> cases;

    private LogReference(String aggregateType, Map<String, List<Step>> cases) {
        this.aggregateType = aggregateType;
        this.cases = cases;
    }

    /** Reads the gzipped XES log {@code file}, whose cases are imported as aggregates of {@code aggregateType}. */
    static LogReference read(String aggregateType, Path file) {
        Map<String, List<Step>> cases = new LinkedHashMap<>();
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
            XMLStreamReader xml = factory.createXMLStreamReader(in);
            int depth = 0;
            int traceDepth = -1;
            int eventDepth = -1;
            String caseId = null;
            List<Step> pending = new ArrayList<>();
            String activity = null;
            String lifecycle = null;
            Instant occurredAt = null;
            while (xml.hasNext()) {
                int next = xml.next();
                if (next == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    String name = xml.getLocalName();
                    if (name.equals("trace") && traceDepth < 0) {
                        traceDepth = depth;
                        caseId = null;
                        pending = new ArrayList<>();
                    } else if (name.equals("event") && depth == traceDepth + 1) {
                        eventDepth = depth;
                        activity = null;
                        lifecycle = null;
                        occurredAt = null;
                    } else if (name.equals("date") && eventDepth > 0 && depth == eventDepth + 1) {
                        if (TIMESTAMP.equals(xml.getAttributeValue(null, "key"))) {
                            occurredAt = OffsetDateTime.parse(xml.getAttributeValue(null, "value"))
                                    .toInstant();
                        }
                    } else if (name.equals("string") && eventDepth > 0 && depth == eventDepth + 1) {
                        String key = xml.getAttributeValue(null, "key");
                        if (CONCEPT_NAME.equals(key)) {
                            activity = xml.getAttributeValue(null, "value");
                        } else if (LIFECYCLE.equals(key)) {
                            lifecycle = xml.getAttributeValue(null, "value");
                        }
                    } else if (name.equals("string") && eventDepth < 0 && depth == traceDepth + 1) {
                        if (CONCEPT_NAME.equals(xml.getAttributeValue(null, "key"))) {
                            caseId = xml.getAttributeValue(null, "value");
                        }
                    }
                } else if (next == XMLStreamConstants.END_ELEMENT) {
                    if (depth == eventDepth) {
                        pending.add(new Step(activity, lifecycle, occurredAt));
                        eventDepth = -1;
                    } else if (depth == traceDepth) {
                        if (caseId == null) {
                            throw new IllegalStateException(file + " has a trace without a concept:name");
                        }
                        cases.computeIfAbsent(caseId, id -> new ArrayList<>()).addAll(pending);
                        traceDepth = -1;
                    }
                    depth--;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        } catch (XMLStreamException e) {
            throw new IllegalStateException(file + " is not a readable XES log: " + e.getMessage(), e);
        }
        return new LogReference(aggregateType, cases);
    }

    /**
     * Writes the first {@code traces} traces of the gzipped XES log {@code source} to {@code target}, gzipped, with
     * the log's header and closing tag: the slice of a big log a short run imports. The logs put each
     * {@code <trace>} tag on a line of its own, so the cut is made between lines.
     */
    static Path slice(Path source, int traces, Path target) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                        new GZIPInputStream(Files.newInputStream(source), 1 << 16), StandardCharsets.UTF_8));
                Writer out = new BufferedWriter(new OutputStreamWriter(
                        new GZIPOutputStream(Files.newOutputStream(target)), StandardCharsets.UTF_8))) {
            int seen = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.strip().equals("<trace>") && ++seen > traces) {
                    out.write("</log>\n");
                    break;
                }
                out.write(line);
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not cut the first " + traces + " traces of " + source, e);
        }
        return target;
    }

    String aggregateType() {
        return aggregateType;
    }

    /** The cases in file order, each with its events by position. */
    Map<String, List<Step>> cases() {
        return cases;
    }

    long events() {
        return cases.values().stream().mapToLong(List::size).sum();
    }

    /**
     * Every command the importer sends for this log, by command id. The id is the importer's documented contract: a
     * name-based UUID of the aggregate type, the case id and the position, joined by NUL characters.
     */
    Map<String, Expected> expectedCommands() {
        Map<String, Expected> commands = new LinkedHashMap<>();
        cases.forEach((caseId, steps) -> {
            for (int position = 1; position <= steps.size(); position++) {
                String name = aggregateType + '\0' + caseId + '\0' + position;
                String id = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8))
                        .toString();
                commands.put(id, new Expected(aggregateType, caseId, position));
            }
        });
        return commands;
    }
}
