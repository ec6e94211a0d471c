package io.polyglot.projection.reallogs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads the real logs of {@code ../shared/datasets} with the test's own small StAX and CSV code, independent of the
 * importer, the way {@code ./polyglot import} maps them: an XES trace is an aggregate, a CSV row with {@code NA} cells
 * left out is one reading of the station in {@code origin}.
 */
public final class RealLogs {

    public static final String LOAN_APPLICATION = "LoanApplication";
    public static final String HELPDESK_TICKET = "HelpdeskTicket";
    public static final String WEATHER_STATION = "WeatherStation";

    private RealLogs() {}

    public static Path datasets() {
        Path root = Path.of(System.getProperty("polyglot.root", "."))
                .toAbsolutePath()
                .normalize();
        Path datasets = root.resolveSibling("shared").resolve("datasets");
        if (!Files.isDirectory(datasets)) {
            throw new IllegalStateException("the real logs are not in " + datasets);
        }
        return datasets;
    }

    /** Every event of BPI 2012, in file order. */
    public static List<LogEvent> bpi2012() {
        return xes(datasets().resolve("bpic2012/bpic2012.xes.gz"), LOAN_APPLICATION);
    }

    /** Every event of the helpdesk log, in file order. */
    public static List<LogEvent> helpdesk() {
        return xes(datasets().resolve("helpdesk/helpdesk.xes.gz"), HELPDESK_TICKET);
    }

    /** Every reading of the weather log, in file order. */
    public static List<LogEvent> weather() {
        Path file = datasets().resolve("weather/weather.csv.gz");
        List<LogEvent> events = new ArrayList<>();
        Map<String, Long> positions = new HashMap<>();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            String[] header = reader.readLine().split(",", -1);
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] cells = line.split(",", -1);
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < header.length; i++) {
                    if (!cells[i].isBlank() && !cells[i].equals("NA")) {
                        row.put(header[i], cells[i]);
                    }
                }
                String station = row.remove("origin");
                Instant at = Instant.parse(row.remove("time_hour"));
                long position = positions.merge(station, 1L, Long::sum);
                events.add(new LogEvent(WEATHER_STATION, station, position, "WeatherObserved", null, at, row));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return events;
    }

    /** The events of {@code cases} cases picked at random with this seed, each case whole and in order. */
    public static List<LogEvent> slice(List<LogEvent> events, int cases, long seed) {
        List<String> ids =
                new ArrayList<>(events.stream().map(LogEvent::caseId).distinct().toList());
        java.util.Collections.shuffle(ids, new Random(seed));
        Set<String> picked = Set.copyOf(ids.subList(0, Math.min(cases, ids.size())));
        return events.stream().filter(event -> picked.contains(event.caseId())).collect(Collectors.toList());
    }

    private static List<LogEvent> xes(Path file, String aggregateType) {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        List<LogEvent> events = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
            XMLStreamReader xml = factory.createXMLStreamReader(in);
            String caseId = null;
            List<Map<String, String>> caseEvents = new ArrayList<>();
            Map<String, String> event = null;
            int depth = 0;
            int traceDepth = -1;
            while (xml.hasNext()) {
                int next = xml.next();
                if (next == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    String name = xml.getLocalName();
                    if (name.equals("trace")) {
                        traceDepth = depth;
                        caseId = null;
                        caseEvents = new ArrayList<>();
                    } else if (name.equals("event") && traceDepth > 0) {
                        event = new LinkedHashMap<>();
                    } else if (xml.getAttributeValue(null, "key") != null) {
                        String key = xml.getAttributeValue(null, "key");
                        String value = xml.getAttributeValue(null, "value");
                        if (event != null && depth == traceDepth + 2) {
                            event.put(key, value);
                        } else if (depth == traceDepth + 1 && key.equals("concept:name")) {
                            caseId = value;
                        }
                    }
                } else if (next == XMLStreamConstants.END_ELEMENT) {
                    String name = xml.getLocalName();
                    if (name.equals("event") && event != null) {
                        caseEvents.add(event);
                        event = null;
                    } else if (name.equals("trace")) {
                        long position = 0;
                        for (Map<String, String> attributes : caseEvents) {
                            String activity = attributes.remove("concept:name");
                            String lifecycle = attributes.remove("lifecycle:transition");
                            Instant at = OffsetDateTime.parse(attributes.remove("time:timestamp"))
                                    .toInstant();
                            events.add(new LogEvent(
                                    aggregateType, caseId, ++position, activity, lifecycle, at, attributes));
                        }
                        traceDepth = -1;
                    }
                    depth--;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
        return events;
    }
}
