package io.polyglot.projection.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the events of {@value HelpdeskTicketProjection#AGGREGATE_TYPE} aggregates into the rows behind {@code
 * helpdesk_activity_durations}: every event with the time of its ticket's next event by position. The view counts
 * and takes medians per activity across tickets, so the result does not depend on which partition is applied first;
 * a ticket's last event counts in {@code events} but not in the median.
 */
public final class HelpdeskDurationProjection implements Projection<HelpdeskEventsChange> {

    /** The view it maintains. */
    public static final String VIEW = "helpdesk_activity_durations";

    @Override
    public String name() {
        return VIEW;
    }

    @Override
    public boolean folds(ProjectedEvent event) {
        return HelpdeskTicketProjection.AGGREGATE_TYPE.equals(event.aggregateType());
    }

    @Override
    public List<HelpdeskEventsChange> fold(List<ProjectedEvent> events) {
        Map<String, List<HelpdeskEventsChange.TicketEvent>> tickets = new TreeMap<>();
        for (ProjectedEvent event : events) {
            if (folds(event)) {
                tickets.computeIfAbsent(event.aggregateId(), id -> new ArrayList<>())
                        .add(new HelpdeskEventsChange.TicketEvent(
                                event.partition(), event.offset(), event.activity(), event.occurredAt()));
            }
        }
        return tickets.entrySet().stream()
                .map(entry -> new HelpdeskEventsChange(entry.getKey(), entry.getValue()))
                .toList();
    }
}
