package io.polyglot.bench;

import java.time.Duration;

/**
 * How long the bench measures: each measurement runs {@code warmup} unrecorded, then {@code measure} recorded; after
 * our side's load the bench waits up to {@code settle} for the decider to catch up, so the next measurement does not
 * share the machine with a backlog.
 *
 * @param rounds pairs run per stage (A B A B is two)
 * @param warmup load before each measurement that is not recorded
 * @param measure the recorded part of each measurement
 * @param settle longest wait for the decider to drain what the load left
 * @param logEvents events read from the log (whole cases), cycled when a stage needs more
 * @param batchLines lines per batch request; a batch waits for its slowest line, so a short run takes smaller ones
 * @param prefillPerPartition events the worker stages write to each partition of the topic a worker then drains
 * @param e2eCases cases of the log the {@code e2e} stage imports from its start; 0 for the whole log
 */
record Pace(
        int rounds,
        Duration warmup,
        Duration measure,
        Duration settle,
        int logEvents,
        int batchLines,
        int prefillPerPartition,
        int e2eCases) {
    /** The full run: a few minutes in all. */
    static Pace full(int rounds) {
        return new Pace(
                rounds, Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofMinutes(2), 60_000, 1_000, 10_000, 0);
    }

    /** The CI run: a few seconds per stage, figures only good for their shape. */
    static Pace smoke(int rounds) {
        return new Pace(
                rounds, Duration.ofMillis(500), Duration.ofMillis(1_500), Duration.ofSeconds(2), 5_000, 250, 500, 200);
    }
}
