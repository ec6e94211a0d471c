package io.polyglot.projection.domain;

import java.util.List;

/**
 * What one poll changes in the read models of the real logs, each list in the key order of its rows so that writers
 * lock rows in one order. The offer, work item and ticket changes are resolved by the store against the rows it has
 * stored, inside the batch's transaction.
 *
 * @param loanOffers the offer events per application, behind {@code loan_offers}, ordered by application id
 * @param loanWorkItems the work item events per application and work item, behind {@code loan_work_items}
 * @param loanStages the first occurrence of each stage per application, behind {@code loan_funnel}
 * @param helpdeskEvents the events per ticket, behind {@code helpdesk_activity_durations}, ordered by ticket id
 * @param weatherDays the readings per station and day, behind {@code weather_daily}
 */
public record RealLogChanges(
        List<LoanOfferChange> loanOffers,
        List<LoanWorkItemChange> loanWorkItems,
        List<LoanStageChange> loanStages,
        List<HelpdeskEventsChange> helpdeskEvents,
        List<WeatherDayChange> weatherDays) {

    /** No change at all. */
    public static final RealLogChanges NONE = new RealLogChanges(List.of(), List.of(), List.of(), List.of(), List.of());

    public RealLogChanges {
        loanOffers = List.copyOf(loanOffers);
        loanWorkItems = List.copyOf(loanWorkItems);
        loanStages = List.copyOf(loanStages);
        helpdeskEvents = List.copyOf(helpdeskEvents);
        weatherDays = List.copyOf(weatherDays);
    }

    /** Whether none of these read models changes. */
    public boolean isEmpty() {
        return loanOffers.isEmpty()
                && loanWorkItems.isEmpty()
                && loanStages.isEmpty()
                && helpdeskEvents.isEmpty()
                && weatherDays.isEmpty();
    }
}
