package io.polyglot.archiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The threads the archiver's upload lanes run on take round after round of lanes, each round submitted as soon as
 * the previous one's futures have completed, as {@code SegmentArchiver} submits them when more partitions than lanes
 * have sealed segments. A pool that handed lanes off to idle threads rejected a lane now and then, because a thread
 * whose task had completed its future was not yet back waiting for the next; the archiver's loop then ended. That
 * pool failed this test within a few hundred rounds.
 */
class UploadLanesTest {

    private static final int ROUNDS = 5_000;

    @Test
    void takesEveryLaneOfRoundAfterRoundWithoutRejectingOne() throws Exception {
        // given
        ExecutorService lanes = SegmentArchiver.laneThreads();
        int ran = 0;
        try {
            // when
            for (int round = 0; round < ROUNDS; round++) {
                List<Future<Integer>> running = new ArrayList<>();
                for (int lane = 0; lane < SegmentArchiver.UPLOAD_LANES + 2; lane++) {
                    int partition = lane;
                    running.add(lanes.submit(() -> partition));
                }
                for (Future<Integer> lane : running) {
                    ran += lane.get() >= 0 ? 1 : 0;
                }
            }
        } finally {
            lanes.shutdownNow();
        }

        // then
        assertThat(ran).isEqualTo(ROUNDS * (SegmentArchiver.UPLOAD_LANES + 2));
    }
}
