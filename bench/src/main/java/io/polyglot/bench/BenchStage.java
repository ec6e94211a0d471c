package io.polyglot.bench;

import java.util.List;
import java.util.Map;

/**
 * One stage of the benchmark: what our pipeline does (side A) and what the raw engine does with the same work (side
 * B), one round at a time; the bench runs A, B, A, B and summarizes. Adding a stage is one class implementing this
 * and one line in {@link Stages}.
 */
interface BenchStage {
    /** The id in the report and on the command line, e.g. {@code ingest-batch}. */
    String id();

    /** The target as the report states it. */
    String target();

    /**
     * Prepares the stage before its first round. By default the whole stack runs, so the stack's workers that a
     * stage before stopped are started again; a stage that measures a worker of its own stops them instead.
     */
    default void before(StageContext context) throws Exception {
        context.ensureStackWorkers();
    }

    /** How many rounds the stage takes; most take the run's, a stage whose work cannot be repeated fewer. */
    default int rounds(Pace pace) {
        return pace.rounds();
    }

    /**
     * Cleans up after the last round, also when a round failed: stops what {@link #before} started. The bench stops
     * the whole stack at the end of the run in any case.
     */
    default void after(StageContext context) throws Exception {}

    /** Side A of round {@code round} (1-based): figure name to value. */
    Map<String, Figure> ours(StageContext context, int round) throws Exception;

    /** Side B of the same round; its figure names differ from side A's; empty for a stage with no raw engine. */
    Map<String, Figure> raw(StageContext context, int round) throws Exception;

    /** Ratios of one of A's figures to one of B's, taken pair by pair. */
    List<Ratio> ratios();

    /** Whether the target is met by the summarized figures and ratios (by their medians). */
    boolean met(Map<String, Summary> figures, Map<String, Summary> ratios);
}
