package io.polyglot.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stage's outcome: every figure and ratio over the rounds, the target and whether it was met; or, when the stage
 * could not run, why.
 *
 * @param id the stage id
 * @param target the target as text
 * @param figures each figure's median, min and max over the rounds
 * @param ratios each ratio's median, min and max, taken pair by pair
 * @param met whether the target is met (false when the stage did not run)
 * @param rounds each round's raw figures, side A and B together
 * @param error why the stage could not run, or {@code null}
 */
record StageReport(
        String id,
        String target,
        Map<String, Summary> figures,
        Map<String, Summary> ratios,
        boolean met,
        List<Map<String, Figure>> rounds,
        String error) {

    boolean ran() {
        return error == null;
    }

    static StageReport failed(BenchStage stage, List<Map<String, Figure>> rounds, String error) {
        return new StageReport(stage.id(), stage.target(), Map.of(), Map.of(), false, rounds, error);
    }

    /** Summarizes rounds of the stage, each holding both sides' figures. */
    static StageReport of(BenchStage stage, List<Map<String, Figure>> rounds) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        Map<String, String> units = new LinkedHashMap<>();
        for (Map<String, Figure> round : rounds) {
            round.forEach((name, figure) -> {
                values.computeIfAbsent(name, n -> new ArrayList<>()).add(figure.value());
                units.put(name, figure.unit());
            });
        }
        Map<String, Summary> figures = new LinkedHashMap<>();
        values.forEach((name, list) -> figures.put(name, Summary.of(list, units.get(name))));

        Map<String, Summary> ratios = new LinkedHashMap<>();
        for (Ratio ratio : stage.ratios()) {
            List<Double> pairs = new ArrayList<>();
            for (Map<String, Figure> round : rounds) {
                double raw = round.get(ratio.raw()).value();
                pairs.add(raw == 0 ? Double.NaN : round.get(ratio.ours()).value() / raw);
            }
            ratios.put(ratio.name(), Summary.of(pairs, "x"));
        }
        return new StageReport(
                stage.id(), stage.target(), figures, ratios, stage.met(figures, ratios), List.copyOf(rounds), null);
    }
}
