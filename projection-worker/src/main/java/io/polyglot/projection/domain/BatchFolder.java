package io.polyglot.projection.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the events of one poll into one {@link ReadModelBatch}: puts them in partition and offset order, drops an
 * event whose aggregate version disagrees with its position, and runs every projection over the rest.
 *
 * <p>Position is the order of arrival in the partition. Events written before the decider assigned versions carry
 * version 0 and are taken by position alone; an event with a version must come after every earlier versioned event
 * of its aggregate in the same batch, or it is a replay or a reordering that would corrupt the fold.
 */
public final class BatchFolder {

    private final LoanApplicationProjection loanApplications = new LoanApplicationProjection();
    private final LoanActivityCountProjection loanActivityCounts = new LoanActivityCountProjection();
    private final HelpdeskTicketProjection helpdeskTickets = new HelpdeskTicketProjection();
    private final LoanOfferProjection loanOffers = new LoanOfferProjection();
    private final LoanWorkItemProjection loanWorkItems = new LoanWorkItemProjection();
    private final LoanFunnelProjection loanFunnel = new LoanFunnelProjection();
    private final HelpdeskDurationProjection helpdeskDurations = new HelpdeskDurationProjection();
    private final WeatherDailyProjection weatherDaily = new WeatherDailyProjection();
    private final List<Projection<?>> projections = List.of(
            loanApplications,
            loanActivityCounts,
            helpdeskTickets,
            loanOffers,
            loanWorkItems,
            loanFunnel,
            helpdeskDurations,
            weatherDaily);

    /** The view names of every projection, for metrics. */
    public List<String> projectionNames() {
        return projections.stream().map(Projection::name).toList();
    }

    /**
     * Folds a poll's events.
     *
     * @param topic the topic they were read from
     * @param events the events, each partition's in offset order (they are sorted again to be sure)
     * @param advances the offset advance of every partition the poll read from, even those whose records were all
     *     skipped
     */
    public Folded fold(String topic, List<ProjectedEvent> events, List<PartitionAdvance> advances) {
        List<ProjectedEvent> ordered = new ArrayList<>(events);
        ordered.sort(Comparator.comparingInt(ProjectedEvent::partition).thenComparingLong(ProjectedEvent::offset));
        List<ProjectedEvent> outOfOrder = new ArrayList<>();
        List<ProjectedEvent> agreeing = agreeingWithVersions(ordered, outOfOrder);

        Map<String, Long> projected = new LinkedHashMap<>();
        for (Projection<?> projection : projections) {
            projected.put(
                    projection.name(),
                    agreeing.stream().filter(projection::folds).count());
        }
        List<PartitionAdvance> sortedAdvances = new ArrayList<>(advances);
        sortedAdvances.sort(Comparator.comparingInt(PartitionAdvance::partition));
        ReadModelBatch batch = new ReadModelBatch(
                topic,
                sortedAdvances,
                loanApplications.fold(agreeing),
                loanActivityCounts.fold(agreeing),
                helpdeskTickets.fold(agreeing),
                new RealLogChanges(
                        loanOffers.fold(agreeing),
                        loanWorkItems.fold(agreeing),
                        loanFunnel.fold(agreeing),
                        helpdeskDurations.fold(agreeing),
                        weatherDaily.fold(agreeing)),
                projected);
        return new Folded(batch, outOfOrder);
    }

    private static List<ProjectedEvent> agreeingWithVersions(
            List<ProjectedEvent> ordered, List<ProjectedEvent> outOfOrder) {
        Map<String, Long> lastVersions = new HashMap<>();
        List<ProjectedEvent> agreeing = new ArrayList<>(ordered.size());
        for (ProjectedEvent event : ordered) {
            if (event.aggregateVersion() > 0) {
                String aggregate = event.aggregateType() + '/' + event.aggregateId();
                Long last = lastVersions.get(aggregate);
                if (last != null && event.aggregateVersion() <= last) {
                    outOfOrder.add(event);
                    continue;
                }
                lastVersions.put(aggregate, event.aggregateVersion());
            }
            agreeing.add(event);
        }
        return agreeing;
    }

    /**
     * A folded poll.
     *
     * @param batch what to apply
     * @param outOfOrder events left out because their version does not follow their aggregate's previous one
     */
    public record Folded(ReadModelBatch batch, List<ProjectedEvent> outOfOrder) {}
}
