package io.polyglot.projection.domain;

import java.util.OptionalLong;

/**
 * How a batch moves the stored offset of one partition.
 *
 * @param partition the partition
 * @param expected the next offset stored for the partition when the batch was read, or empty when none was stored;
 *     the batch applies only if the stored offset is still this
 * @param next the next offset to read once the batch is applied
 */
public record PartitionAdvance(int partition, OptionalLong expected, long next) {}
