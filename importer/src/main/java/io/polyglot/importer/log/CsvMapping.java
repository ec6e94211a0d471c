package io.polyglot.importer.log;

import java.util.Objects;

/**
 * Which CSV columns become which fields of an event. Every column not named here becomes an attribute.
 *
 * @param caseColumn the column holding the case id
 * @param activityColumn the column holding the activity, or {@code null} when {@code activity} is set
 * @param activity one activity name for every row, or {@code null} when {@code activityColumn} is set
 * @param timeColumn the column holding the business time
 * @param lifecycleColumn the column holding the lifecycle transition, or {@code null}
 * @param resourceColumn the column holding the resource, or {@code null}
 * @param timestamps how to read the time column
 */
public record CsvMapping(
        String caseColumn,
        String activityColumn,
        String activity,
        String timeColumn,
        String lifecycleColumn,
        String resourceColumn,
        TimestampParser timestamps) {

    /** Checks that the mapping names a case, a time and exactly one source of activity names. */
    public CsvMapping {
        Objects.requireNonNull(caseColumn, "caseColumn");
        Objects.requireNonNull(timeColumn, "timeColumn");
        Objects.requireNonNull(timestamps, "timestamps");
        if ((activityColumn == null) == (activity == null)) {
            throw new InvalidMappingException(
                    "give either an activity column or a constant activity, not both or none");
        }
    }
}
