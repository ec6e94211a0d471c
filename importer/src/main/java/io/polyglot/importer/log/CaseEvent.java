package io.polyglot.importer.log;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An event of one case, ready to become a {@code RecordActivity} command.
 *
 * @param caseId the case id, which becomes the aggregate id
 * @param position the 1-based position within the case, in the log's order
 * @param activity the activity name ({@code concept:name} in XES)
 * @param lifecycle the lifecycle transition as written in the log, or {@code null}
 * @param resource the resource ({@code org:resource} in XES), or {@code null}
 * @param occurredAt the business time as ISO-8601 with an offset
 * @param attributes every other attribute, as free strings, in the log's order
 * @param line the line of the log file where the event starts
 */
public record CaseEvent(
        String caseId,
        int position,
        String activity,
        String lifecycle,
        String resource,
        String occurredAt,
        Map<String, String> attributes,
        long line)
        implements LogEntry {

    /** Checks the fields that may never be missing. */
    public CaseEvent {
        Objects.requireNonNull(caseId, "caseId");
        Objects.requireNonNull(activity, "activity");
        Objects.requireNonNull(occurredAt, "occurredAt");
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }
}
