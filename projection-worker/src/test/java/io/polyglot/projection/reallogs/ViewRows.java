package io.polyglot.projection.reallogs;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;

/** The rows of the views of the real logs, as a test compares them. */
public final class ViewRows {

    private ViewRows() {}

    /** A row of {@code loan_offers}. */
    public record Offer(String applicationId, int offerNo, String status, Instant createdAt, Instant decidedAt) {}

    /** A row of {@code loan_work_items}. */
    public record WorkItem(
            String applicationId,
            String workItem,
            Instant scheduledAt,
            Instant startedAt,
            Instant completedAt,
            BigDecimal handlingSeconds) {

        /** Every column, so that two STARTs of one work item at the same time still sort the same way. */
        public static final Comparator<WorkItem> ORDER = Comparator.comparing(WorkItem::applicationId)
                .thenComparing(WorkItem::workItem)
                .thenComparing(WorkItem::startedAt)
                .thenComparing(WorkItem::completedAt, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(WorkItem::scheduledAt, Comparator.nullsLast(Comparator.naturalOrder()));
    }

    /** A row of {@code loan_funnel}. */
    public record Stage(String stage, long applications, Double medianHoursFromSubmission) {}

    /** A row of {@code helpdesk_activity_durations}. */
    public record ActivityDuration(String activity, long events, Double medianSecondsToNext) {}

    /** A row of {@code weather_daily}. */
    public record WeatherDay(
            String station,
            LocalDate day,
            long readings,
            BigDecimal minTemp,
            BigDecimal maxTemp,
            BigDecimal meanTemp,
            BigDecimal totalPrecip) {}
}
