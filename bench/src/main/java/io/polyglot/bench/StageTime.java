package io.polyglot.bench;

/**
 * How long one stage of a run took, and what the run's budget did to it.
 *
 * @param id the stage id
 * @param seconds from the start of its preparation to the end of its cleanup; 0 when it did not start
 * @param roundsPlanned the rounds the run's plan gave it
 * @param roundsRun the rounds it measured
 * @param budget what the budget cut ({@code null} when nothing: it ran as planned)
 */
record StageTime(String id, double seconds, int roundsPlanned, int roundsRun, String budget) {}
