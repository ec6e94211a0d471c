package io.polyglot.projection.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the events of aggregates of type {@value #AGGREGATE_TYPE} into {@code loan_applications} rows. "Latest" is by
 * position in the case (arrival order in the partition), never by business time: real logs have ties.
 */
public final class LoanApplicationProjection implements Projection<LoanApplicationChange> {

    /** The aggregate type this projection folds. */
    public static final String AGGREGATE_TYPE = "LoanApplication";

    /** The view it maintains. */
    public static final String VIEW = "loan_applications";

    /** Activities that change the application's state, and so its status, start with this. */
    static final String APPLICATION_STATE_PREFIX = "A_";

    static final String SUBMITTED = "A_SUBMITTED";
    static final String AMOUNT_REQUESTED = "AMOUNT_REQ";

    @Override
    public String name() {
        return VIEW;
    }

    @Override
    public boolean folds(ProjectedEvent event) {
        return AGGREGATE_TYPE.equals(event.aggregateType());
    }

    @Override
    public List<LoanApplicationChange> fold(List<ProjectedEvent> events) {
        Map<String, Application> applications = new TreeMap<>();
        for (ProjectedEvent event : events) {
            if (folds(event)) {
                applications
                        .computeIfAbsent(event.aggregateId(), id -> new Application())
                        .apply(event);
            }
        }
        return applications.entrySet().stream()
                .map(entry -> entry.getValue().change(entry.getKey()))
                .toList();
    }

    /** Parses the requested amount: text that is no number PostgreSQL's {@code numeric} can hold is no amount. */
    static BigDecimal amount(String text) {
        return DecimalText.parse(text);
    }

    private static final class Application {
        private String status;
        private BigDecimal amountRequested;
        private Instant submittedAt;
        private Instant lastEventAt;
        private long eventCount;
        private long aggregateVersion;
        private int partition;
        private long lastOffset;

        void apply(ProjectedEvent event) {
            if (event.activity().startsWith(APPLICATION_STATE_PREFIX)) {
                status = event.activity();
            }
            if (amountRequested == null) {
                amountRequested = amount(event.attributes().get(AMOUNT_REQUESTED));
            }
            if (submittedAt == null && SUBMITTED.equals(event.activity())) {
                submittedAt = event.occurredAt();
            }
            if (lastEventAt == null || event.occurredAt().isAfter(lastEventAt)) {
                lastEventAt = event.occurredAt();
            }
            eventCount++;
            aggregateVersion = event.aggregateVersion();
            partition = event.partition();
            lastOffset = event.offset();
        }

        LoanApplicationChange change(String applicationId) {
            return new LoanApplicationChange(
                    applicationId,
                    status,
                    amountRequested,
                    submittedAt,
                    lastEventAt,
                    eventCount,
                    aggregateVersion,
                    partition,
                    lastOffset);
        }
    }
}
