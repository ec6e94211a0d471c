package io.polyglot.importer.log;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Streams a CSV event log with a header row: each row is one event, {@link CsvMapping} says which columns are the
 * case, activity, time, lifecycle and resource, and every other column becomes an attribute. Cells that are empty,
 * blank or {@code NA} count as missing and are left out. The rows of a case keep the file's order, however the cases
 * are interleaved.
 */
public final class CsvReader implements EventLogReader {

    private static final String NOT_UTF_8 = "the file is not UTF-8: a byte sequence that is no character";

    private static final char BYTE_ORDER_MARK = '\uFEFF';
    private static final String NOT_AVAILABLE = "NA";

    private final InputStream in;
    private final CsvMapping mapping;
    private final CasePositions positions = new CasePositions();

    /** @param in the CSV text in UTF-8, already decompressed; the caller closes it */
    public CsvReader(InputStream in, CsvMapping mapping) {
        this.in = in;
        this.mapping = mapping;
    }

    @Override
    public void read(EventSink sink) throws MalformedLogException, IOException {
        CSVFormat format = CSVFormat.DEFAULT
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get();
        CSVParser parser;
        try {
            parser = format.parse(withoutByteOrderMark(in));
        } catch (CharacterCodingException e) {
            throw notUtf8(e, 1);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            // A damaged gzip file under the CSV text is no fault of the CSV, though the parser hands it on as one.
            CorruptGzipException.throwIfBehind(e);
            throw new MalformedLogException("unreadable CSV header: " + e.getMessage(), 1, -1, e);
        }
        List<String> attributeColumns = checkColumns(parser.getHeaderNames());
        Iterator<CSVRecord> records = parser.iterator();
        while (true) {
            CSVRecord record;
            try {
                if (!records.hasNext()) {
                    return;
                }
                record = records.next();
            } catch (UncheckedIOException | IllegalStateException e) {
                CorruptGzipException.throwIfBehind(e);
                if (e.getCause() instanceof CharacterCodingException notUtf8) {
                    throw notUtf8(notUtf8, parser.getCurrentLineNumber());
                }
                String reason =
                        e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
                throw new MalformedLogException(reason, parser.getCurrentLineNumber(), -1, e);
            }
            sink.accept(toEntry(record, parser.getCurrentLineNumber(), attributeColumns));
        }
    }

    /** Where the decoder found the bytes that are no UTF-8, which the parser's line count only approaches. */
    private static MalformedLogException notUtf8(CharacterCodingException e, long parserLine) {
        if (e instanceof StrictUtf8Reader.NotUtf8Exception at) {
            return new MalformedLogException(NOT_UTF_8, at.line(), at.column(), e);
        }
        return new MalformedLogException(NOT_UTF_8, parserLine, -1, e);
    }

    private static Reader withoutByteOrderMark(InputStream in) throws IOException {
        // A byte sequence that is not UTF-8 fails the read when the parser reaches it, instead of becoming U+FFFD.
        BufferedReader reader = new BufferedReader(new StrictUtf8Reader(in), 1 << 16);
        reader.mark(1);
        if (reader.read() != BYTE_ORDER_MARK) {
            reader.reset();
        }
        return reader;
    }

    /**
     * Fails on a column the header names twice or a mapped column it lacks; answers the columns that become attributes.
     */
    private List<String> checkColumns(List<String> header) throws MalformedLogException {
        Set<String> seen = new HashSet<>();
        for (String column : header) {
            if (!seen.add(column)) {
                throw new MalformedLogException(
                        "the header names the column '" + column + "' twice (" + String.join(", ", header) + ")",
                        1,
                        -1,
                        null);
            }
        }
        List<String> mapped = Stream.of(
                        mapping.caseColumn(),
                        mapping.activityColumn(),
                        mapping.timeColumn(),
                        mapping.lifecycleColumn(),
                        mapping.resourceColumn())
                .filter(column -> column != null)
                .toList();
        for (String column : mapped) {
            if (!header.contains(column)) {
                throw new InvalidMappingException(
                        "column '" + column + "' is not in the CSV header (" + String.join(", ", header) + ")");
            }
        }
        Set<String> taken = Set.copyOf(mapped);
        return header.stream().filter(column -> !taken.contains(column)).collect(Collectors.toList());
    }

    private LogEntry toEntry(CSVRecord record, long line, List<String> attributeColumns) throws MalformedLogException {
        if (!record.isConsistent()) {
            String message = "the record has " + record.size() + " fields, the header "
                    + record.getParser().getHeaderNames().size();
            throw new MalformedLogException(message, line, -1, null);
        }
        Optional<String> caseId = cell(record, mapping.caseColumn());
        if (caseId.isEmpty()) {
            String detail = "the row has no value in case column '" + mapping.caseColumn() + "'";
            return new UnusableEvent(null, (int) record.getRecordNumber(), UnusableEvent.MISSING_CASE_ID, detail, line);
        }
        int position = positions.next(caseId.get());
        Optional<String> activity =
                mapping.activity() != null ? Optional.of(mapping.activity()) : cell(record, mapping.activityColumn());
        if (activity.isEmpty()) {
            String detail = "the row has no value in activity column '" + mapping.activityColumn() + "'";
            return new UnusableEvent(caseId.get(), position, UnusableEvent.MISSING_ACTIVITY, detail, line);
        }
        Optional<String> time = cell(record, mapping.timeColumn());
        if (time.isEmpty()) {
            String detail = "the row has no value in time column '" + mapping.timeColumn() + "'";
            return new UnusableEvent(caseId.get(), position, UnusableEvent.MISSING_TIMESTAMP, detail, line);
        }
        Optional<String> occurredAt = mapping.timestamps().parse(time.get());
        if (occurredAt.isEmpty()) {
            String detail =
                    "time '" + time.get() + "' cannot be read as a time with an offset (see --time-format, --zone)";
            return new UnusableEvent(caseId.get(), position, UnusableEvent.INVALID_TIMESTAMP, detail, line);
        }
        return new CaseEvent(
                caseId.get(),
                position,
                activity.get(),
                cell(record, mapping.lifecycleColumn()).orElse(null),
                cell(record, mapping.resourceColumn()).orElse(null),
                occurredAt.get(),
                attributes(record, attributeColumns),
                line);
    }

    private static Map<String, String> attributes(CSVRecord record, List<String> columns) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String column : columns) {
            cell(record, column).ifPresent(value -> attributes.put(column, value));
        }
        return attributes;
    }

    private static Optional<String> cell(CSVRecord record, String column) {
        if (column == null) {
            return Optional.empty();
        }
        String value = record.get(column);
        if (value == null || value.isBlank() || NOT_AVAILABLE.equals(value)) {
            return Optional.empty();
        }
        return Optional.of(value);
    }
}
