package io.polyglot.projection.domain;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the application-state events ({@code A_...}) of {@value LoanApplicationProjection#AGGREGATE_TYPE} aggregates
 * into the rows behind {@code loan_funnel}: the first occurrence of each stage per application. The view counts and
 * takes medians across applications, so the result does not depend on which partition is applied first, and a stage
 * reached before its application's {@code A_SUBMITTED} arrived is kept and counted.
 */
public final class LoanFunnelProjection implements Projection<LoanStageChange> {

    /** The view it maintains. */
    public static final String VIEW = "loan_funnel";

    private static final Comparator<LoanStageChange> KEY_ORDER =
            Comparator.comparing(LoanStageChange::applicationId).thenComparing(LoanStageChange::stage);

    @Override
    public String name() {
        return VIEW;
    }

    @Override
    public boolean folds(ProjectedEvent event) {
        return LoanApplicationProjection.AGGREGATE_TYPE.equals(event.aggregateType())
                && event.activity().startsWith(LoanApplicationProjection.APPLICATION_STATE_PREFIX);
    }

    @Override
    public List<LoanStageChange> fold(List<ProjectedEvent> events) {
        Map<LoanStageChange, LoanStageChange> first = new TreeMap<>(KEY_ORDER);
        for (ProjectedEvent event : events) {
            if (folds(event)) {
                LoanStageChange change = new LoanStageChange(
                        event.aggregateId(),
                        event.activity(),
                        event.occurredAt(),
                        new SourcePosition(event.partition(), event.offset()));
                first.putIfAbsent(change, change);
            }
        }
        return List.copyOf(first.values());
    }
}
