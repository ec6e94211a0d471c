package io.polyglot.projection.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the offer events ({@code O_...}) of {@value LoanApplicationProjection#AGGREGATE_TYPE} aggregates into
 * {@code loan_offers}: one row per {@code O_CREATED}, numbered within the application; {@code O_SELECTED} belongs
 * to the offer created next, every other offer event to the latest created offer. An offer event before the
 * application's first {@code O_CREATED} belongs to no offer.
 */
public final class LoanOfferProjection implements Projection<LoanOfferChange> {

    /** The view it maintains. */
    public static final String VIEW = "loan_offers";

    static final String OFFER_PREFIX = "O_";

    @Override
    public String name() {
        return VIEW;
    }

    @Override
    public boolean folds(ProjectedEvent event) {
        return LoanApplicationProjection.AGGREGATE_TYPE.equals(event.aggregateType())
                && event.activity().startsWith(OFFER_PREFIX);
    }

    @Override
    public List<LoanOfferChange> fold(List<ProjectedEvent> events) {
        Map<String, List<LoanOfferChange.OfferEvent>> applications = new TreeMap<>();
        for (ProjectedEvent event : events) {
            if (folds(event)) {
                applications
                        .computeIfAbsent(event.aggregateId(), id -> new ArrayList<>())
                        .add(new LoanOfferChange.OfferEvent(
                                event.partition(), event.offset(), event.activity(), event.occurredAt()));
            }
        }
        return applications.entrySet().stream()
                .map(entry -> new LoanOfferChange(entry.getKey(), entry.getValue()))
                .toList();
    }
}
