package io.polyglot.importer.log;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Streams an XES event log with StAX: one pass, one event in memory at a time, so a 74 MB log costs no more than a
 * small one.
 *
 * <p>What it reads, by element name and with or without the XES namespace:
 *
 * <ul>
 *   <li>Each {@code <trace>} is one case; its {@code concept:name} is the case id. Its other attributes go into the
 *       attributes of the case's first event, where the event's own attribute of the same key wins.
 *   <li>Each {@code <event>}: {@code concept:name} is the activity, {@code lifecycle:transition} the lifecycle,
 *       {@code org:resource} the resource, {@code time:timestamp} the time; every other attribute is kept.
 *   <li>Attribute elements {@code string}, {@code date}, {@code int}, {@code float}, {@code boolean} and {@code id}:
 *       their values are kept as the text written in the file. Nested attributes of traces and events are flattened:
 *       a child's key is its parent's key, a dot and its own key ({@code parent.child}); {@code list} and
 *       {@code container} contribute only their children; a key repeated inside one event gets {@code [2]},
 *       {@code [3]} ... appended.
 *   <li>Log-level attributes, {@code <global>}, {@code <extension>} and {@code <classifier>} are skipped with all
 *       their children.
 * </ul>
 *
 * <p>Trace attributes are expected before the trace's events, as the XES standard orders them; one written after an
 * event reaches only events not yet read, and a trace whose {@code concept:name} comes after its events makes those
 * events unusable.
 */
public final class XesReader implements EventLogReader {

    private static final Set<String> VALUE_ATTRIBUTES = Set.of("string", "date", "int", "float", "boolean", "id");
    private static final Set<String> COLLECTION_ATTRIBUTES = Set.of("list", "container");
    private static final String CONCEPT_NAME = "concept:name";
    private static final String LIFECYCLE = "lifecycle:transition";
    private static final String RESOURCE = "org:resource";
    private static final String TIMESTAMP = "time:timestamp";

    /** The most bytes one attribute value or text may hold: far above any real log's, far below the heap. */
    static final long MAX_VALUE_BYTES = 8L * 1024 * 1024;

    private final MarkupRunLimit in;
    private final TimestampParser timestamps = TimestampParser.isoWithOffset();
    private final CasePositions positions = new CasePositions();

    /** @param in the XES document, already decompressed; the caller closes it */
    public XesReader(InputStream in) {
        this(in, MAX_VALUE_BYTES);
    }

    /** @param maxValueBytes the most bytes one attribute value or text may hold */
    XesReader(InputStream in, long maxValueBytes) {
        this.in = new MarkupRunLimit(in, maxValueBytes);
    }

    @Override
    public void read(EventSink sink) throws MalformedLogException, IOException {
        XMLStreamReader xml = open();
        try {
            readLog(xml, sink);
        } catch (XMLStreamException e) {
            throw fault(e);
        }
        // The parser stops at </log>; reading on to the end lets a gzip stream check its trailer (CRC-32 and length)
        // and report damage that the document itself did not show.
        in.transferTo(OutputStream.nullOutputStream());
    }

    /**
     * Why the StAX reader stopped, as the exception to throw: a value past the bound or a fault of the document; a
     * damaged gzip file under the document, which reaches the reader as a fault of its stream, is thrown as itself.
     */
    private MalformedLogException fault(XMLStreamException e) throws CorruptGzipException {
        // The JDK's StAX reader keeps the stream's fault as its nested exception, not as its cause.
        CorruptGzipException.throwIfBehind(e.getNestedException());
        CorruptGzipException.throwIfBehind(e);
        return in.exceeded() ? tooLong(e.getLocation()) : malformed(e);
    }

    private MalformedLogException tooLong(Location location) {
        return malformed(
                "an attribute or text holds more than " + in.limit() + " bytes, more than any event's value may",
                location);
    }

    private XMLStreamReader open() throws MalformedLogException, CorruptGzipException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        // An event log never needs a DTD; refusing them keeps external entities out.
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        try {
            return factory.createXMLStreamReader(in);
        } catch (XMLStreamException e) {
            throw fault(e);
        }
    }

    private void readLog(XMLStreamReader xml, EventSink sink) throws XMLStreamException, MalformedLogException {
        int type = xml.getEventType();
        while (type != XMLStreamConstants.START_ELEMENT && xml.hasNext()) {
            type = xml.next();
        }
        if (!xml.isStartElement() || !"log".equals(xml.getLocalName())) {
            String found = xml.isStartElement() ? "<" + xml.getLocalName() + ">" : "no element";
            throw malformed("the document's root is " + found + ", not <log>", xml.getLocation());
        }
        while (nextChild(xml)) {
            if ("trace".equals(xml.getLocalName())) {
                readTrace(xml, sink);
            } else {
                skipElement(xml);
            }
        }
    }

    private void readTrace(XMLStreamReader xml, EventSink sink) throws XMLStreamException, MalformedLogException {
        String caseId = null;
        Map<String, String> traceAttributes = new LinkedHashMap<>();
        int eventsInTrace = 0;
        while (nextChild(xml)) {
            String element = xml.getLocalName();
            if ("event".equals(element)) {
                long line = xml.getLocation().getLineNumber();
                Map<String, String> fields = readEventAttributes(xml);
                eventsInTrace++;
                Map<String, String> inherited = eventsInTrace == 1 ? traceAttributes : Map.of();
                sink.accept(toEntry(caseId, eventsInTrace, fields, inherited, line));
            } else if (isAttribute(element)) {
                readAttribute(xml, null, traceAttributes);
                String name = traceAttributes.remove(CONCEPT_NAME);
                caseId = name == null ? caseId : name;
            } else {
                skipElement(xml);
            }
        }
    }

    private Map<String, String> readEventAttributes(XMLStreamReader xml)
            throws XMLStreamException, MalformedLogException {
        Map<String, String> fields = new LinkedHashMap<>();
        while (nextChild(xml)) {
            if (isAttribute(xml.getLocalName())) {
                readAttribute(xml, null, fields);
            } else {
                skipElement(xml);
            }
        }
        return fields;
    }

    private LogEntry toEntry(
            String caseId, int eventsInTrace, Map<String, String> fields, Map<String, String> inherited, long line) {
        // An empty or blank case id names no case, and the command service refuses it as an aggregate id anyway.
        if (caseId == null || caseId.isBlank()) {
            String detail = caseId == null
                    ? "the trace has no concept:name"
                    : "the trace's concept:name is empty or blank ('" + caseId + "')";
            return new UnusableEvent(null, eventsInTrace, UnusableEvent.MISSING_CASE_ID, detail, line);
        }
        int position = positions.next(caseId);
        String activity = fields.remove(CONCEPT_NAME);
        String lifecycle = fields.remove(LIFECYCLE);
        String resource = fields.remove(RESOURCE);
        String time = fields.remove(TIMESTAMP);
        if (activity == null) {
            return new UnusableEvent(
                    caseId, position, UnusableEvent.MISSING_ACTIVITY, "the event has no concept:name", line);
        }
        if (time == null) {
            return new UnusableEvent(
                    caseId, position, UnusableEvent.MISSING_TIMESTAMP, "the event has no time:timestamp", line);
        }
        Optional<String> occurredAt = timestamps.parse(time);
        if (occurredAt.isEmpty()) {
            String detail = "time:timestamp '" + time + "' is not ISO-8601 with an offset";
            return new UnusableEvent(caseId, position, UnusableEvent.INVALID_TIMESTAMP, detail, line);
        }
        Map<String, String> attributes = new LinkedHashMap<>(inherited);
        attributes.putAll(fields);
        return new CaseEvent(caseId, position, activity, lifecycle, resource, occurredAt.get(), attributes, line);
    }

    /** Reads one attribute element and its nested children into {@code out}, flattened under {@code parentKey}. */
    private void readAttribute(XMLStreamReader xml, String parentKey, Map<String, String> out)
            throws XMLStreamException, MalformedLogException {
        String element = xml.getLocalName();
        String key = xml.getAttributeValue(null, "key");
        if (key == null) {
            throw malformed("<" + element + "> has no key attribute", xml.getLocation());
        }
        String fullKey = parentKey == null ? key : parentKey + "." + key;
        String value = xml.getAttributeValue(null, "value");
        if (value != null && !COLLECTION_ATTRIBUTES.contains(element)) {
            putDistinct(out, fullKey, value);
        }
        while (nextChild(xml)) {
            String child = xml.getLocalName();
            if (isAttribute(child)) {
                readAttribute(xml, fullKey, out);
            } else if ("values".equals(child)) {
                // a list's <values> wrapper adds no key of its own
                readNestedOnly(xml, fullKey, out);
            } else {
                skipElement(xml);
            }
        }
    }

    private void readNestedOnly(XMLStreamReader xml, String parentKey, Map<String, String> out)
            throws XMLStreamException, MalformedLogException {
        while (nextChild(xml)) {
            if (isAttribute(xml.getLocalName())) {
                readAttribute(xml, parentKey, out);
            } else {
                skipElement(xml);
            }
        }
    }

    private static void putDistinct(Map<String, String> out, String key, String value) {
        String distinct = key;
        for (int copy = 2; out.containsKey(distinct); copy++) {
            distinct = key + "[" + copy + "]";
        }
        out.put(distinct, value);
    }

    private static boolean isAttribute(String element) {
        return VALUE_ATTRIBUTES.contains(element) || COLLECTION_ATTRIBUTES.contains(element);
    }

    /** Moves to the next child element of the current one: {@code true} on its start, {@code false} at the end. */
    private static boolean nextChild(XMLStreamReader xml) throws XMLStreamException {
        while (xml.hasNext()) {
            int type = xml.next();
            if (type == XMLStreamConstants.START_ELEMENT) {
                return true;
            }
            if (type == XMLStreamConstants.END_ELEMENT) {
                return false;
            }
        }
        return false;
    }

    private static void skipElement(XMLStreamReader xml) throws XMLStreamException {
        int depth = 1;
        while (depth > 0 && xml.hasNext()) {
            int type = xml.next();
            if (type == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (type == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
    }

    private static MalformedLogException malformed(String message, Location location) {
        long line = location == null ? -1 : location.getLineNumber();
        long column = location == null ? -1 : location.getColumnNumber();
        return new MalformedLogException(message, line, column, null);
    }

    private static MalformedLogException malformed(XMLStreamException e) {
        Location location = e.getLocation();
        long line = location == null ? -1 : location.getLineNumber();
        long column = location == null ? -1 : location.getColumnNumber();
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // The JDK's parser prefixes its message with "ParseError at [row,col]:[l,c]"; the location is reported apart.
        int reason = message.indexOf("Message: ");
        String text = reason >= 0 ? message.substring(reason + "Message: ".length()) : message;
        return new MalformedLogException(text.strip(), line, column, e);
    }
}
