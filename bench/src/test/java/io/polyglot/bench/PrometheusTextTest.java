package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final String SCRAPE = """
            # HELP polyglot_consumer_lag Records not yet committed
            # TYPE polyglot_consumer_lag gauge
            polyglot_consumer_lag{group="polyglot-archiver",partition="0",service="archiver-worker"} 103.0
            polyglot_consumer_lag{group="polyglot-archiver",partition="1",service="archiver-worker"} 57.0
            polyglot_consumer_lag_seconds{service="archiver-worker"} 9.0
            polyglot_events_archived_total{aggregate_type="Loan Application",service="archiver-worker"} 3300.0
            """;

    @Test
    void sumsTheValuesOfEverySeriesOfAMetric() {
        // when
        double lag = WorkerProcess.PrometheusText.sum(SCRAPE, "polyglot_consumer_lag");

        // then
        assertThat(lag).isEqualTo(160.0);
    }

    @Test
    void readsTheValueAfterLabelsThatHoldSpaces() {
        // when
        double archived = WorkerProcess.PrometheusText.sum(SCRAPE, "polyglot_events_archived_total");

        // then
        assertThat(archived).isEqualTo(3300.0);
    }

    @Test
    void countsAMetricThatIsNotExposedAsZero() {
        // when
        double open = WorkerProcess.PrometheusText.sum(SCRAPE, "polyglot_archiver_open_events");

        // then
        assertThat(open).isZero();
    }
}
