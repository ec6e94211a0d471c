package io.polyglot.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An endless source of {@code RecordActivity} commands in JSON from the events of a real log, cycled: every pass
 * over the log re-keys its cases ({@code <case>~<tag>~<pass>}) and every command gets a fresh id, so no command
 * is ever a retry of an earlier one and no aggregate sees an event twice. Thread-safe.
 */
final class CommandLines {
    /** The command type the command service knows activity events by. */
    static final String COMMAND_TYPE = "RecordActivity";

    private final ObjectMapper json = new ObjectMapper();
    private final List<LogEvent> events;
    private final String aggregateType;
    private final String tag;
    private long sequence;

    CommandLines(List<LogEvent> events, String aggregateType, String tag) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a log with no events cannot feed a stage");
        }
        this.events = events;
        this.aggregateType = aggregateType;
        this.tag = tag;
    }

    /**
     * The events of {@code cases} cases at a time taken in turns, so that two commands of one case are about
     * {@code width} commands apart: concurrent requests that overtake each other do not reorder a case.
     */
    static List<LogEvent> interleaved(List<LogEvent> inLogOrder, int width) {
        List<List<LogEvent>> cases = new ArrayList<>();
        String current = null;
        for (LogEvent event : inLogOrder) {
            if (!event.caseId().equals(current)) {
                cases.add(new ArrayList<>());
                current = event.caseId();
            }
            cases.get(cases.size() - 1).add(event);
        }
        List<LogEvent> out = new ArrayList<>(inLogOrder.size());
        for (int group = 0; group < cases.size(); group += width) {
            List<List<LogEvent>> together = cases.subList(group, Math.min(cases.size(), group + width));
            int longest = together.stream().mapToInt(List::size).max().orElse(0);
            for (int position = 0; position < longest; position++) {
                for (List<LogEvent> one : together) {
                    if (position < one.size()) {
                        out.add(one.get(position));
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    /** The next command as one JSON object. */
    byte[] next() {
        long seq;
        synchronized (this) {
            seq = sequence++;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        write(bytes, seq);
        return bytes.toByteArray();
    }

    /** The next {@code lines} commands as an NDJSON body. */
    byte[] nextBatch(int lines) {
        long first;
        synchronized (this) {
            first = sequence;
            sequence += lines;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(lines * 400);
        for (int i = 0; i < lines; i++) {
            write(bytes, first + i);
            bytes.write('\n');
        }
        return bytes.toByteArray();
    }

    /**
     * A command that opens aggregate {@code aggregateId} of its own: the log's first event (a case's first, which the
     * loan rules accept as an opening), with the command id {@code <tag>-<aggregateId>}.
     */
    byte[] opening(String aggregateId) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        write(bytes, events.get(0), tag + "-" + aggregateId, aggregateId);
        return bytes.toByteArray();
    }

    private void write(ByteArrayOutputStream bytes, long seq) {
        LogEvent event = events.get((int) (seq % events.size()));
        long pass = seq / events.size();
        write(bytes, event, tag + "-" + seq, event.caseId() + "~" + tag + "~" + pass);
    }

    private void write(ByteArrayOutputStream bytes, LogEvent event, String commandId, String aggregateId) {
        ObjectNode command = json.createObjectNode()
                .put("commandId", commandId)
                .put("aggregateType", aggregateType)
                .put("aggregateId", aggregateId)
                .put("type", COMMAND_TYPE);
        ObjectNode payload = command.putObject("payload").put("activity", event.activity());
        Optional.ofNullable(event.lifecycle()).ifPresent(lifecycle -> payload.put("lifecycle", lifecycle));
        Optional.ofNullable(event.resource()).ifPresent(resource -> payload.put("resource", resource));
        payload.put("occurredAt", event.occurredAt());
        ObjectNode attributes = payload.putObject("attributes");
        event.attributes().forEach(attributes::put);
        try {
            json.writeValue(bytes, command);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
    }
}
