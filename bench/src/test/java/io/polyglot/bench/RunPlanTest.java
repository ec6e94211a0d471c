package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunPlanTest {

    @Test
    void aFullRunOfEveryStageAtTwoRoundsIsPlannedWithinItsThirtyMinutes() {
        // when
        RunPlan plan = RunPlan.of(Stages.all(), Pace.full(2));

        // then
        assertThat(plan.planned()).isLessThanOrEqualTo(Pace.FULL_BUDGET);
        assertThat(Stages.all())
                .allSatisfy(stage -> assertThat(plan.rounds(stage)).isBetween(1, stage.rounds(Pace.full(2))));
    }

    @Test
    void cutsTheDearestRoundsFirstAndNeverBelowOneRoundPerStage() {
        // given: a budget that holds every stage once, not twice
        List<BenchStage> stages = Stages.all();
        Pace pace = Pace.full(3, Duration.ofMinutes(25));

        // when
        RunPlan plan = RunPlan.of(stages, pace);

        // then
        assertThat(plan.planned()).isLessThanOrEqualTo(Duration.ofMinutes(25));
        assertThat(stages).allSatisfy(stage -> assertThat(plan.rounds(stage)).isPositive());
        BenchStage decide = Stages.byId("decide").orElseThrow();
        BenchStage ingestSingle = Stages.byId("ingest-single").orElseThrow();
        assertThat(plan.rounds(decide)).isLessThanOrEqualTo(plan.rounds(ingestSingle));
    }

    @Test
    void keepsEveryStageAtOneRoundWhenEvenThatExceedsTheBudget() {
        // when
        RunPlan plan = RunPlan.of(Stages.all(), Pace.full(2, Duration.ofMinutes(5)));

        // then
        assertThat(Stages.all())
                .allSatisfy(stage -> assertThat(plan.rounds(stage)).isEqualTo(1));
        assertThat(plan.planned()).isGreaterThan(Duration.ofMinutes(5));
    }

    @Test
    void aFullRunStartsNoStageThatWouldEndAfterTheBudgetButASmokeRunStartsEvery() {
        // given
        BenchStage e2e = Stages.byId("e2e").orElseThrow();
        RunPlan full = RunPlan.of(List.of(e2e), Pace.full(2));
        RunPlan smoke = RunPlan.of(List.of(e2e), Pace.smoke(1));

        // then
        assertThat(full.fits(full.leastOf(e2e), Duration.ofSeconds(60))).isFalse();
        assertThat(full.fits(full.leastOf(e2e), Duration.ofMinutes(10))).isTrue();
        assertThat(smoke.fits(smoke.leastOf(e2e), Duration.ZERO)).isTrue();
    }

    @Test
    void aFurtherRoundCostsTheLongestRoundTheStageTookSoFar() {
        // given
        BenchStage decide = Stages.byId("decide").orElseThrow();
        RunPlan plan = RunPlan.of(List.of(decide), Pace.full(2));

        // then
        assertThat(plan.nextRound(decide, List.of())).isEqualTo(Duration.ofSeconds(115));
        assertThat(plan.nextRound(decide, List.of(Duration.ofSeconds(80), Duration.ofSeconds(140))))
                .isEqualTo(Duration.ofSeconds(140));
    }
}
