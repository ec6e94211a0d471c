package io.polyglot.bench;

import java.util.Map;

/**
 * One event of a real log as the bench replays it: the case it belongs to and the fields of a {@code RecordActivity}
 * payload.
 *
 * @param caseId the case (aggregate) id in the log
 * @param activity the activity ({@code concept:name})
 * @param lifecycle the lifecycle transition, or {@code null}
 * @param resource the resource, or {@code null}
 * @param occurredAt the business time as written in the log (ISO-8601 with an offset)
 * @param attributes every other attribute, the case's own on its first event
 */
record LogEvent(
        String caseId,
        String activity,
        String lifecycle,
        String resource,
        String occurredAt,
        Map<String, String> attributes) {}
