package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    private static final Machine MACHINE = new Machine(2, 24_000, "a JDK", "an OS");

    @Test
    void statesTheRunsTotalTimeEachPartsTimeAndWhatTheBudgetCut() {
        // given
        BenchStage decide = Stages.byId("decide").orElseThrow();
        BenchStage memory = Stages.byId("memory").orElseThrow();
        BenchReport report = new BenchReport(
                "full",
                Pace.full(2),
                Instant.parse("2026-12-04T20:00:00Z"),
                1_790,
                MACHINE,
                List.of(
                        StageReport.failed(decide, List.of(), "stopped when the budget ran out"),
                        StageReport.failed(memory, List.of(), "not run: budget")),
                List.of(),
                new BenchReport.Times(
                        55.5,
                        12.25,
                        List.of(
                                new StageTime("decide", 230.5, 2, 1, "round 2 to 2 not run"),
                                new StageTime("memory", 0, 1, 0, "not run: budget"))));

        // when
        JsonNode json = report.json();
        String markdown = report.markdown();

        // then
        assertThat(json.get("seconds").asDouble()).isEqualTo(1_790);
        assertThat(json.get("budgetSeconds").asLong()).isEqualTo(1_800);
        assertThat(json.get("withinBudget").asBoolean()).isTrue();
        assertThat(json.get("time").get("stackStartSeconds").asDouble()).isEqualTo(55.5);
        assertThat(json.get("time").get("stages").get("decide").asDouble()).isEqualTo(230.5);
        assertThat(json.get("time").get("stackStopSeconds").asDouble()).isEqualTo(12.25);
        assertThat(json.get("stages").get("decide").get("roundsPlanned").asInt())
                .isEqualTo(2);
        assertThat(json.get("stages").get("decide").get("budget").asText()).isEqualTo("round 2 to 2 not run");
        assertThat(markdown)
                .contains("2 rounds per stage")
                .doesNotContain("A smoke run")
                .contains("the run took 1790 s, within it")
                .contains("| stack start and warm-up | 55.5 | | |")
                .contains("| decide | 230.5 | 1 of 2 | round 2 to 2 not run |")
                .contains("| memory | 0.0 | 0 of 1 | not run: budget |")
                .contains("| stack stop | 12.3 | | |");
    }

    @Test
    void saysWhenASmokeRunWentOverItsTwoMinutes() {
        // given
        BenchReport report = new BenchReport(
                "smoke",
                Pace.smoke(1),
                Instant.parse("2026-12-04T20:00:00Z"),
                130,
                MACHINE,
                List.of(),
                List.of(),
                new BenchReport.Times(20, 5, List.of()));

        // then
        assertThat(report.withinBudget()).isFalse();
        assertThat(report.json().get("budgetEnforced").asBoolean()).isFalse();
        assertThat(report.markdown())
                .contains("1 round per stage")
                .contains("Budget: 120 s (reported only); the run took 130 s, over it.")
                .contains("A smoke run: every stage on a small load (`e2e` imports the first 50 cases of the log, the"
                        + " worker stages measure 1,000 events a partition, `archive`'s large segments hold 500)");
        assertThat(report.json().get("time").get("stages").isEmpty()).isTrue();
    }
}
