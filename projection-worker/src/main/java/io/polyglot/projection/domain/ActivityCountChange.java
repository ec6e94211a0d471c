package io.polyglot.projection.domain;

/**
 * What one batch adds to one partial count behind {@code loan_activity_counts}: counts are kept per source partition
 * so that the instance owning a partition is the only writer of its rows.
 *
 * @param partition the partition the events were read from
 * @param activity the activity
 * @param lifecycle the lifecycle transition, or null when the events have none
 * @param events how many such events the batch holds
 * @param lastOffset the offset of the batch's last such event
 */
public record ActivityCountChange(int partition, String activity, String lifecycle, long events, long lastOffset) {

    /** Where the batch's last such event was read. */
    public SourcePosition source() {
        return new SourcePosition(partition, lastOffset);
    }
}
