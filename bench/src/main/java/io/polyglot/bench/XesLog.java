package io.polyglot.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads the first cases of a gzipped XES log with StAX, whole cases only, in the log's order. It keeps what a
 * {@code RecordActivity} command carries: the trace's attributes go to its first event, like the importer sends them.
 */
final class XesLog {
    private static final String CASE_ID = "concept:name";
    private static final String LIFECYCLE = "lifecycle:transition";
    private static final String RESOURCE = "org:resource";
    private static final String TIMESTAMP = "time:timestamp";

    private XesLog() {}

    /** At least {@code minEvents} events (fewer only when the log has fewer), ending at a case boundary. */
    static List<LogEvent> read(Path file, int minEvents) {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)), 1 << 16)) {
            XMLStreamReader xml = factory.createXMLStreamReader(in);
            try {
                return cases(xml, minEvents);
            } finally {
                xml.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        } catch (XMLStreamException e) {
            throw new IllegalStateException(file + " is not well-formed XES: " + e.getMessage(), e);
        }
    }

    private static List<LogEvent> cases(XMLStreamReader xml, int minEvents) throws XMLStreamException {
        List<LogEvent> events = new ArrayList<>(minEvents + 256);
        Map<String, String> trace = null;
        List<Map<String, String>> traceEvents = new ArrayList<>();
        Map<String, String> event = null;
        while (xml.hasNext()) {
            int token = xml.next();
            if (token == XMLStreamConstants.START_ELEMENT) {
                String element = xml.getLocalName();
                if (element.equals("trace")) {
                    trace = new LinkedHashMap<>();
                    traceEvents.clear();
                } else if (element.equals("event") && trace != null) {
                    event = new LinkedHashMap<>();
                } else if (trace != null && xml.getAttributeValue(null, "key") != null) {
                    Map<String, String> target = event != null ? event : trace;
                    target.putIfAbsent(xml.getAttributeValue(null, "key"), xml.getAttributeValue(null, "value"));
                }
            } else if (token == XMLStreamConstants.END_ELEMENT) {
                String element = xml.getLocalName();
                if (element.equals("event") && event != null) {
                    traceEvents.add(event);
                    event = null;
                } else if (element.equals("trace") && trace != null) {
                    addCase(trace, traceEvents, events);
                    trace = null;
                    if (events.size() >= minEvents) {
                        break;
                    }
                }
            }
        }
        return events;
    }

    private static void addCase(Map<String, String> trace, List<Map<String, String>> fields, List<LogEvent> out) {
        String caseId = trace.remove(CASE_ID);
        boolean first = true;
        for (Map<String, String> field : fields) {
            Map<String, String> attributes = new LinkedHashMap<>(first ? trace : Map.of());
            first = false;
            String activity = field.remove(CASE_ID);
            String lifecycle = field.remove(LIFECYCLE);
            String resource = field.remove(RESOURCE);
            String time = field.remove(TIMESTAMP);
            attributes.putAll(field);
            if (caseId != null && activity != null && time != null) {
                out.add(new LogEvent(caseId, activity, lifecycle, resource, time, Map.copyOf(attributes)));
            }
        }
    }
}
