package io.polyglot.projection.reallogs;

import java.time.Instant;
import java.util.Map;

/**
 * One event of a real log, as the test reads it from the file, before any pipeline code touched it.
 *
 * @param aggregateType the aggregate type it is imported as
 * @param caseId the case id: the aggregate id
 * @param position its position in the case, 1 for the first
 * @param activity the activity
 * @param lifecycle the lifecycle transition, or null
 * @param occurredAt the business time
 * @param attributes the other attributes, as text
 */
public record LogEvent(
        String aggregateType,
        String caseId,
        long position,
        String activity,
        String lifecycle,
        Instant occurredAt,
        Map<String, String> attributes) {}
