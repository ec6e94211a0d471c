package io.polyglot.schemas;

import java.util.List;

/**
 * Names of the read model's views that other people's tools query and that a rebuild can rebuild: the dashboard serves
 * these and no other relation, and a command line refuses a name that is not one of them before anything runs.
 */
public final class ReadModelViews {

    /** Every view a rebuild knows, in the order a rebuild of all of them takes. */
    public static final List<String> REBUILDABLE = List.of(
            "loan_applications",
            "loan_activity_counts",
            "helpdesk_tickets",
            "loan_offers",
            "loan_work_items",
            "loan_funnel",
            "helpdesk_activity_durations",
            "weather_daily");

    private ReadModelViews() {}
}
