package io.polyglot.archiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    private final OffsetTracker tracker = new OffsetTracker();

    @Test
    void commitsTheFirstOffsetOfTheOldestSegmentNotYetStored() {
        // given
        Map<Integer, Long> positions = Map.of(0, 250L);

        // when
        Map<Integer, Long> offsets = tracker.toCommit(positions, partition -> OptionalLong.of(200));

        // then
        assertThat(offsets).containsExactly(Map.entry(0, 200L));
    }

    @Test
    void commitsThePositionWhenEveryEventReadIsStored() {
        // given
        Map<Integer, Long> positions = Map.of(3, 42L);

        // when
        Map<Integer, Long> offsets = tracker.toCommit(positions, partition -> OptionalLong.empty());

        // then
        assertThat(offsets).containsExactly(Map.entry(3, 42L));
    }

    @Test
    void commitsAgainOnlyWhenTheOffsetMovesForward() {
        // given
        tracker.committed(Map.of(0, 100L));

        // when
        Map<Integer, Long> same = tracker.toCommit(Map.of(0, 150L), partition -> OptionalLong.of(100));
        Map<Integer, Long> behind = tracker.toCommit(Map.of(0, 90L), partition -> OptionalLong.empty());
        Map<Integer, Long> ahead = tracker.toCommit(Map.of(0, 150L), partition -> OptionalLong.of(120));

        // then
        assertThat(same).isEmpty();
        assertThat(behind).isEmpty();
        assertThat(ahead).containsExactly(Map.entry(0, 120L));
    }

    @Test
    void neverCommitsABlockedPartition() {
        // given
        tracker.block(1);

        // when
        Map<Integer, Long> offsets = tracker.toCommit(Map.of(0, 10L, 1, 10L), partition -> OptionalLong.empty());

        // then
        assertThat(offsets).containsOnlyKeys(0);
        assertThat(tracker.anyBlocked()).isTrue();
    }

    @Test
    void commitsNothingMoreOfAHeldPartitionUntilItIsReleased() {
        // given a partition whose open segments were sealed early, at release
        tracker.committed(Map.of(0, 100L));
        tracker.hold(0);

        // when every event read is stored
        Map<Integer, Long> held = tracker.toCommit(Map.of(0, 150L, 1, 7L), partition -> OptionalLong.empty());
        tracker.release(0);
        Map<Integer, Long> afterRelease = tracker.toCommit(Map.of(0, 150L), partition -> OptionalLong.empty());

        // then
        assertThat(held).containsOnlyKeys(1);
        assertThat(afterRelease).containsExactly(Map.entry(0, 150L));
    }

    @Test
    void forgetsAReleasedPartition() {
        // given
        tracker.committed(Map.of(2, 500L));
        tracker.block(2);

        // when
        tracker.release(2);

        // then
        assertThat(tracker.lastCommitted(2)).isEmpty();
        assertThat(tracker.isBlocked(2)).isFalse();
        assertThat(tracker.toCommit(Map.of(2, 400L), partition -> OptionalLong.empty()))
                .containsExactly(Map.entry(2, 400L));
    }
}
