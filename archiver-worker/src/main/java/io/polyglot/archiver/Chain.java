package io.polyglot.archiver;

/**
 * The segments of one aggregate type from one partition: each starts at the first event after the previous one's
 * last.
 *
 * @param aggregateType the aggregate type of every event in the chain
 * @param partition the partition of {@code events.all} the events come from
 */
record Chain(String aggregateType, int partition) {}
