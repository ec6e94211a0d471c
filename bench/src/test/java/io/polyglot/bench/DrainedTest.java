package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a measured load may start: {@link StageContext#drained}, the condition {@link StageContext#quiet()} polls. */
class DrainedTest {

    private static final Map<Integer, Long> ENDS = Map.of(0, 1_000L, 1, 2_000L, 2, 0L);

    @Test
    void startsOnceTheDeciderAndBothWorkersAreAtTheEndButForATransactionMarker() {
        // given: the decider one marker behind on each of the six partitions of commands, the archiver at the end,
        // the projection worker one marker behind, and a partition that never held a record stored by neither
        Map<Integer, Long> archived = Map.of(0, 1_000L, 1, 2_000L);
        Map<Integer, Long> projected = Map.of(0, 999L, 1, 1_999L);

        // then
        assertThat(StageContext.drained(6, ENDS, archived, projected)).isTrue();
    }

    @Test
    void waitsForTheDeciderBeyondOneMarkerAPartition() {
        assertThat(StageContext.drained(7, ENDS, ENDS, ENDS)).isFalse();
    }

    @Test
    void waitsForTheArchiverWhenOnePartitionIsTwoRecordsBehind() {
        // given: the other partitions ahead would make up for it in a sum
        Map<Integer, Long> archived = Map.of(0, 1_001L, 1, 1_998L, 2, 1L);

        // then
        assertThat(StageContext.drained(0, ENDS, archived, ENDS)).isFalse();
    }

    @Test
    void waitsForTheProjectionWorkerThatHasStoredNothingOfAPartitionWithRecords() {
        // given
        Map<Integer, Long> projected = Map.of(0, 1_000L);

        // then
        assertThat(StageContext.drained(0, ENDS, ENDS, projected)).isFalse();
    }

    @Test
    void countsTheDeciderAloneWhenTheWorkersAreLeftOut() {
        // given: the workers stopped by a stage, or a smoke run, which passes no ends
        Map<Integer, Long> none = Map.of();

        // then
        assertThat(StageContext.drained(6, none, none, none)).isTrue();
        assertThat(StageContext.drained(7, none, none, none)).isFalse();
    }
}
