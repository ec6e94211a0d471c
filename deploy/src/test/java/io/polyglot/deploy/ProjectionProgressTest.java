package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProjectionProgressTest {

    /** The lines the projection worker's Prometheus registry writes for these meters, with a JVM meter between. */
    private static final String PAGE = """
            # HELP polyglot_consumer_lag Records of the partition not yet applied to the read model
            # TYPE polyglot_consumer_lag gauge
            polyglot_consumer_lag{group="polyglot-projection",partition="0"} 12.0
            polyglot_consumer_lag{group="polyglot-projection",partition="1"} 0.0
            jvm_threads_live_threads 31.0
            # TYPE polyglot_projection_last_applied_event_age_seconds gauge
            polyglot_projection_last_applied_event_age_seconds{group="polyglot-projection",partition="0"} 4.25
            polyglot_projection_last_applied_event_age_seconds{group="polyglot-projection",partition="1"} NaN
            """;

    @Test
    void readsTheLagAndTheAgeOfTheLastAppliedEventOfEachPartition() {
        // when
        ProjectionProgress progress = ProjectionProgress.fromMetrics(PAGE).orElseThrow();

        // then
        assertThat(progress.lag()).isEqualTo(12);
        assertThat(progress.partitions())
                .isEqualTo(Map.of(
                        0, new ProjectionProgress.Partition(12, 4.25), 1, new ProjectionProgress.Partition(0, null)));
        assertThat(progress.summary()).isEqualTo("lag 12, last event 4.3 s ago");
    }

    @Test
    void listsThePartitionsInTheirOrderWhateverOrderTheyCameIn() {
        // given
        Map<Integer, ProjectionProgress.Partition> partitions = new LinkedHashMap<>();
        for (int number : new int[] {2, 3, 11, 4, 5, 0, 1, 10}) {
            partitions.put(number, new ProjectionProgress.Partition(number, null));
        }

        // when
        ProjectionProgress progress = new ProjectionProgress(46, partitions);

        // then
        assertThat(progress.partitions().keySet()).containsExactly(0, 1, 2, 3, 4, 5, 10, 11);
    }

    @Test
    void findsNoProgressOnAPageWithoutTheProjectionMeters() {
        assertThat(ProjectionProgress.fromMetrics("jvm_threads_live_threads 31.0\n"))
                .isEmpty();
    }
}
