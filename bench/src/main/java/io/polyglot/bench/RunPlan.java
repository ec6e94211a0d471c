package io.polyglot.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a run fits its budget: the rounds of each stage, planned from what each stage took in earlier runs so the whole
 * run ends within {@link Pace#budget()}, and, as the run goes, whether the next stage or round still fits what is
 * left. A full run cuts rounds (never below one per stage) before it starts, and while it runs skips a stage or a
 * further round that would not end before the budget does; a smoke run plans every round and only reports.
 *
 * <p>The costs are those of a full run on this 2-core machine (the run of 2026-12-04 at 20:34, load 10 to 30), rounded
 * up: each stage's preparation (before its first round and after its last) and one round of both sides. A stage the
 * table does not know costs two measurements plus the settle wait per round. While a stage runs, the rounds it has
 * done replace the table's cost of the next.
 */
final class RunPlan {
    /** What a stage costs: its preparation and cleanup once, and one round of both sides. */
    record Cost(Duration fixed, Duration perRound) {
        Duration of(int rounds) {
            return fixed.plus(perRound.multipliedBy(rounds));
        }
    }

    /**
     * The stack's start with the decider's first answer and the stack's warm-up ({@link Pace#stackWarmup()} and the
     * wait for its backlog), and its stop with the report, of a full run.
     */
    static final Duration START = Duration.ofSeconds(120);

    static final Duration STOP = Duration.ofSeconds(30);

    private static final Map<String, Cost> FULL_COSTS = Map.of(
            "decide", new Cost(Duration.ofSeconds(5), Duration.ofSeconds(115)),
            "ingest-single", new Cost(Duration.ofSeconds(5), Duration.ofSeconds(60)),
            "ingest-batch", new Cost(Duration.ofSeconds(5), Duration.ofSeconds(90)),
            "e2e", new Cost(Duration.ofSeconds(30), Duration.ofSeconds(150)),
            "freshness", new Cost(Duration.ofSeconds(5), Duration.ofSeconds(30)),
            "memory", new Cost(Duration.ofSeconds(50), Duration.ofSeconds(220)),
            "archive", new Cost(Duration.ofSeconds(20), Duration.ofSeconds(125)),
            "project", new Cost(Duration.ofSeconds(10), Duration.ofSeconds(60)));

    private final Pace pace;
    private final Map<String, Integer> rounds;
    private final Map<String, Cost> costs;

    private RunPlan(Pace pace, Map<String, Integer> rounds, Map<String, Cost> costs) {
        this.pace = pace;
        this.rounds = rounds;
        this.costs = costs;
    }

    /**
     * The plan of {@code stages} at {@code pace}: every stage its rounds, cut while the run would exceed the budget.
     */
    static RunPlan of(List<BenchStage> stages, Pace pace) {
        Map<String, Cost> costs = new LinkedHashMap<>();
        Map<String, Integer> rounds = new LinkedHashMap<>();
        for (BenchStage stage : stages) {
            costs.put(stage.id(), cost(stage.id(), pace));
            rounds.put(stage.id(), stage.rounds(pace));
        }
        RunPlan plan = new RunPlan(pace, rounds, costs);
        if (pace.budgetStops()) {
            plan.cutRoundsToFit();
        }
        return plan;
    }

    private static Cost cost(String id, Pace pace) {
        Cost full = FULL_COSTS.get(id);
        if (full == null) {
            Duration measurements = pace.warmup().plus(pace.measure()).multipliedBy(2);
            return new Cost(Duration.ofSeconds(10), measurements.plus(pace.settle()));
        }
        return full;
    }

    /** Takes one round at a time from the stage whose round costs most, while the plan exceeds the budget. */
    private void cutRoundsToFit() {
        while (planned().compareTo(pace.budget()) > 0) {
            String dearest = null;
            for (Map.Entry<String, Integer> stage : rounds.entrySet()) {
                if (stage.getValue() > 1
                        && (dearest == null
                                || costs.get(stage.getKey())
                                                .perRound()
                                                .compareTo(costs.get(dearest).perRound())
                                        > 0)) {
                    dearest = stage.getKey();
                }
            }
            if (dearest == null) {
                return;
            }
            rounds.merge(dearest, -1, Integer::sum);
        }
    }

    /** The planned length of the whole run. */
    Duration planned() {
        Duration total = START.plus(STOP);
        for (Map.Entry<String, Integer> stage : rounds.entrySet()) {
            total = total.plus(costs.get(stage.getKey()).of(stage.getValue()));
        }
        return total;
    }

    /** The rounds planned for {@code stage}. */
    int rounds(BenchStage stage) {
        return rounds.getOrDefault(stage.id(), stage.rounds(pace));
    }

    /** The planned cost of {@code stage} with one round, the least it can take. */
    Duration leastOf(BenchStage stage) {
        return costs.getOrDefault(stage.id(), cost(stage.id(), pace)).of(1);
    }

    /**
     * Whether a stage that costs {@code cost} may start with {@code left} of the budget: always in a run whose budget
     * does not stop it, else only if it ends before the stop's reserve.
     */
    boolean fits(Duration cost, Duration left) {
        return !pace.budgetStops() || cost.plus(STOP).compareTo(left) <= 0;
    }

    /** The cost of a further round of {@code stage}: the longest it took so far, or the plan's when it took none. */
    Duration nextRound(BenchStage stage, List<Duration> taken) {
        Duration longest =
                costs.getOrDefault(stage.id(), cost(stage.id(), pace)).perRound();
        if (!taken.isEmpty()) {
            longest = taken.stream().max(Duration::compareTo).orElseThrow();
        }
        return longest;
    }
}
