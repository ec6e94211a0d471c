package io.polyglot.projection.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the work item events ({@code W_...} with lifecycle SCHEDULE, START or COMPLETE) of {@value
 * LoanApplicationProjection#AGGREGATE_TYPE} aggregates into {@code loan_work_items}: one row per START; its
 * completion is the work item's next COMPLETE before its next START, its schedule the latest SCHEDULE before it. A
 * COMPLETE with no open START is ignored; of two STARTs in a row, the first stays open for good.
 */
public final class LoanWorkItemProjection implements Projection<LoanWorkItemChange> {

    /** The view it maintains. */
    public static final String VIEW = "loan_work_items";

    static final String WORK_ITEM_PREFIX = "W_";

    private static final Comparator<WorkItem> KEY_ORDER =
            Comparator.comparing(WorkItem::applicationId).thenComparing(WorkItem::workItem);

    @Override
    public String name() {
        return VIEW;
    }

    @Override
    public boolean folds(ProjectedEvent event) {
        return LoanApplicationProjection.AGGREGATE_TYPE.equals(event.aggregateType())
                && event.activity().startsWith(WORK_ITEM_PREFIX)
                && LoanWorkItemChange.followed(event.lifecycle());
    }

    @Override
    public List<LoanWorkItemChange> fold(List<ProjectedEvent> events) {
        Map<WorkItem, List<LoanWorkItemChange.Step>> workItems = new TreeMap<>(KEY_ORDER);
        for (ProjectedEvent event : events) {
            if (folds(event)) {
                workItems
                        .computeIfAbsent(new WorkItem(event.aggregateId(), event.activity()), key -> new ArrayList<>())
                        .add(new LoanWorkItemChange.Step(
                                event.partition(), event.offset(), event.lifecycle(), event.occurredAt()));
            }
        }
        return workItems.entrySet().stream()
                .map(entry -> new LoanWorkItemChange(
                        entry.getKey().applicationId(), entry.getKey().workItem(), entry.getValue()))
                .toList();
    }

    private record WorkItem(String applicationId, String workItem) {}
}
