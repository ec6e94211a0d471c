package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageReportTest {

    /** A stage whose rounds are given, not measured: the summary is under test. */
    private static final BenchStage STAGE = new BenchStage() {
        @Override
        public String id() {
            return "example";
        }

        @Override
        public String target() {
            return "ours >= 0.5 of raw";
        }

        @Override
        public Map<String, Figure> ours(StageContext context, int round) {
            throw new UnsupportedOperationException("rounds are given");
        }

        @Override
        public Map<String, Figure> raw(StageContext context, int round) {
            throw new UnsupportedOperationException("rounds are given");
        }

        @Override
        public List<Ratio> ratios() {
            return List.of(new Ratio("ours / raw", "ours", "raw"));
        }

        @Override
        public boolean met(Map<String, Summary> figures, Map<String, Summary> ratios) {
            return ratios.get("ours / raw").median() >= 0.5;
        }
    };

    @Test
    void takesRatiosPairByPairNotFromTheMedians() {
        // given round 1: 10 of 100, round 2: 60 of 60
        List<Map<String, Figure>> rounds = List.of(
                Map.of("ours", new Figure(10, "events/s"), "raw", new Figure(100, "events/s")),
                Map.of("ours", new Figure(60, "events/s"), "raw", new Figure(60, "events/s")));

        // when
        StageReport report = StageReport.of(STAGE, rounds);

        // then
        assertThat(report.ratios().get("ours / raw")).isEqualTo(new Summary(0.55, 0.1, 1.0, "x"));
        assertThat(report.figures().get("ours")).isEqualTo(new Summary(35, 10, 60, "events/s"));
        assertThat(report.met()).isTrue();
    }

    @Test
    void summarizesAnOddCountByItsMiddleValue() {
        // when
        Summary summary = Summary.of(List.of(9.0, 1.0, 4.0), "ms");

        // then
        assertThat(summary).isEqualTo(new Summary(4, 1, 9, "ms"));
    }

    @Test
    void aStageThatCouldNotRunMissesItsTargetAndSaysWhy() {
        // when
        StageReport report = StageReport.failed(STAGE, List.of(), "the stack failed");

        // then
        assertThat(report.ran()).isFalse();
        assertThat(report.met()).isFalse();
        assertThat(report.error()).isEqualTo("the stack failed");
    }
}
