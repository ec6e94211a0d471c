package io.polyglot.projection.domain;

/**
 * Where the last event folded into a stored row was read. Each aggregate's events sit in one partition in the order
 * of their position, so an event of the same partition at or below this offset is already in the row.
 *
 * @param partition the partition of the last event folded into the row
 * @param offset its offset
 */
public record SourcePosition(int partition, long offset) {

    /** Whether the event read at this partition and offset is already folded into the row. */
    public boolean covers(int eventPartition, long eventOffset) {
        return partition == eventPartition && eventOffset <= offset;
    }
}
