package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GcLogTest {
    private static final List<String> LOG = List.of(
            "[0.011s][info][gc] Using G1",
            "[1.234s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 25M->4M(256M) 4.500ms",
            "[2.000s][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 120M->90M(256M) 6.000ms",
            "[2.100s][info][gc] GC(2) Concurrent Mark Cycle",
            "[2.300s][info][gc] GC(2) Pause Remark 100M->95M(256M) 1.500ms",
            "[2.400s][info][gc] GC(2) Concurrent Mark Cycle 300.000ms",
            "[3.000s][info][gc] GC(3) Pause Full (G1 Compaction Pause) 250M->200M(256M) 345.678ms");

    @Test
    void countsFullCollectionsApartFromOtherPausesAndIgnoresConcurrentPhases() {
        // when
        GcLog.Pauses pauses = GcLog.parse(LOG, -1);

        // then
        assertThat(pauses.full()).isEqualTo(1);
        assertThat(pauses.others()).isEqualTo(3);
        assertThat(pauses.fullMillis()).isEqualTo(345.678);
        assertThat(pauses.totalMillis()).isCloseTo(357.678, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(pauses.maxMillis()).isEqualTo(345.678);
        assertThat(pauses.lastGc()).isEqualTo(3);
    }

    @Test
    void countsOnlyTheCollectionsAfterTheOneGiven() {
        // when
        GcLog.Pauses pauses = GcLog.parse(LOG, 1);

        // then
        assertThat(pauses.others()).isEqualTo(1);
        assertThat(pauses.full()).isEqualTo(1);
        assertThat(pauses.maxMillis()).isEqualTo(345.678);
    }
}
