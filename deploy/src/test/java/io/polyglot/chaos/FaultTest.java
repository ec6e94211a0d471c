package io.polyglot.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultTest {

    @Test
    void theSameSeedGivesTheSameScheduleAndAnotherSeedAnotherOrder() {
        // when
        List<Fault> first = Fault.schedule(42, 4, Duration.ofSeconds(8), Duration.ofSeconds(10));
        List<Fault> again = Fault.schedule(42, 4, Duration.ofSeconds(8), Duration.ofSeconds(10));
        List<List<Fault>> others = List.of(1L, 2L, 3L, 4L).stream()
                .map(seed -> Fault.schedule(seed, 4, Duration.ofSeconds(8), Duration.ofSeconds(10)))
                .toList();

        // then
        assertThat(again).isEqualTo(first);
        assertThat(others).anySatisfy(other -> assertThat(other).isNotEqualTo(first));
    }

    @Test
    void aShortScheduleKillsEveryServiceAndHasOneBrokerRestartAndOneOutageOfEachServer() {
        // when
        List<Fault> schedule = Fault.schedule(7, 0, Duration.ofSeconds(4), Duration.ofSeconds(6));

        // then
        assertThat(schedule).hasSize(4);
        assertThat(schedule)
                .filteredOn(fault -> fault.kind() == Fault.Kind.KILL_SERVICES)
                .singleElement()
                .satisfies(kill -> assertThat(kill.targets()).containsExactlyInAnyOrderElementsOf(Fault.SERVICES));
        assertThat(schedule)
                .extracting(Fault::kind)
                .contains(Fault.Kind.RESTART_BROKER, Fault.Kind.STORAGE_OUTAGE, Fault.Kind.DATABASE_OUTAGE);
        assertThat(schedule).allSatisfy(fault -> {
            assertThat(fault.before()).isBetween(Duration.ofMillis(500), Duration.ofSeconds(4));
            boolean outage = fault.kind() == Fault.Kind.STORAGE_OUTAGE || fault.kind() == Fault.Kind.DATABASE_OUTAGE;
            assertThat(fault.outage().isZero()).isEqualTo(!outage);
        });
    }

    @Test
    void extraKillsEndNonEmptySetsOfServices() {
        // when
        List<Fault> schedule = Fault.schedule(11, 6, Duration.ofSeconds(8), Duration.ofSeconds(10));

        // then
        assertThat(schedule)
                .filteredOn(fault -> fault.kind() == Fault.Kind.KILL_SERVICES)
                .hasSize(7)
                .allSatisfy(kill -> assertThat(kill.targets()).isNotEmpty().isSubsetOf(Fault.SERVICES));
    }
}
