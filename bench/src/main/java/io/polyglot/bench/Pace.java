package io.polyglot.bench;

import java.time.Duration;

/**
 * How long the bench measures: each measurement runs {@code warmup} unrecorded, then {@code measure} recorded; before
 * it the bench waits up to {@code settle} for the pipeline to drain what the loads before it left, so that it does
 * not share the machine with a backlog.
 *
 * @param rounds pairs run per stage (A B A B is two)
 * @param warmup load before each measurement that is not recorded
 * @param measure the recorded part of each measurement
 * @param settle longest wait for the pipeline to drain what the loads before left (see {@code StageContext.quiet()})
 * @param logEvents events read from the log (whole cases), cycled when a stage needs more
 * @param batchLines lines per batch request; a batch waits for its slowest line, so a short run takes smaller ones
 * @param prefillPerPartition events the worker stages write to each partition of the topic a worker then drains
 * @param workerWarmupPerPartition events per partition written before those, which the worker drains unmeasured
 *     (its JVM compiles its hot code meanwhile, as the raw sides warm up); a multiple of the archive stage's segment
 *     sizes, so that the measured events start a segment
 * @param e2eCases cases of the log the {@code e2e} stage imports from its start; 0 for the whole log
 * @param memoryLoads loads of the {@code memory} stage per round: 3 for those of ingest-single, ingest-batch and
 *     decide, 1 for the batch load alone (the one that holds the most memory)
 * @param budget how long the whole run may take, the stack's start and stop included
 * @param stackWarmup load on the fresh stack before the first stage, of every kind the stages send, so that no stage
 *     measures services whose code the JIT has not compiled yet (zero: none)
 * @param budgetStops whether the run plans its rounds to fit the budget and stops measuring when it runs out (a full
 *     run), or only reports whether it kept it (a smoke run, which must run every stage: CI checks that it does)
 * @param drainWorkers whether each measured load and raw side also waits, up to {@code settle}, for the stack's
 *     archiver and projection worker to store what the loads before it left (a full run); a smoke run's loads last
 *     seconds and its figures are only good for their shape, so it waits for the decider alone rather than for the
 *     archiver's idle seal before each
 */
record Pace(
        int rounds,
        Duration warmup,
        Duration measure,
        Duration settle,
        int logEvents,
        int batchLines,
        int prefillPerPartition,
        int workerWarmupPerPartition,
        int e2eCases,
        int memoryLoads,
        Duration budget,
        Duration stackWarmup,
        boolean budgetStops,
        boolean drainWorkers) {
    /** The budget of a full run (issue 6). */
    static final Duration FULL_BUDGET = Duration.ofMinutes(30);

    /** The budget of a smoke run (issue 6), reported, not enforced. */
    static final Duration SMOKE_BUDGET = Duration.ofMinutes(2);

    /** The full run: at most {@link #FULL_BUDGET}. */
    static Pace full(int rounds) {
        return full(rounds, FULL_BUDGET);
    }

    /** The full run within {@code budget}. */
    static Pace full(int rounds, Duration budget) {
        return new Pace(
                rounds,
                Duration.ofSeconds(5),
                Duration.ofSeconds(20),
                Duration.ofMinutes(2),
                60_000,
                1_000,
                50_000,
                50_000,
                0,
                3,
                budget,
                Duration.ofSeconds(30),
                true,
                true);
    }

    /** The CI run: a few seconds per stage, figures only good for their shape. */
    static Pace smoke(int rounds) {
        return new Pace(
                rounds,
                Duration.ofMillis(500),
                Duration.ofMillis(1_500),
                Duration.ofSeconds(2),
                5_000,
                250,
                1_000,
                500,
                50,
                1,
                SMOKE_BUDGET,
                Duration.ZERO,
                false,
                false);
    }
}
