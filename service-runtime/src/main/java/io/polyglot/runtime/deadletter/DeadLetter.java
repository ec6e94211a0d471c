package io.polyglot.runtime.deadletter;

import java.util.List;
import java.util.Map;

/**
 * A dead letter as {@code events.dlq} holds it.
 *
 * @param source where the failed record came from
 * @param group the consumer group that gave up on it
 * @param errorClass the class name of the error
 * @param errorMessage the bounded, masked error message
 * @param attempts how many times the group tried the record
 * @param key the source record's key, as it was; null when it had none
 * @param value the source record's value, as it was; null when it had none
 * @param timestamp the source record's timestamp, epoch milliseconds
 * @param sourceHeaders the source record's own headers (not the {@code dlq.*} ones), in order, values as bytes
 * @param dlqPartition the partition of {@code events.dlq} that holds it
 * @param dlqOffset its offset there
 */
public record DeadLetter(
        DeadLetterSource source,
        String group,
        String errorClass,
        String errorMessage,
        int attempts,
        byte[] key,
        byte[] value,
        long timestamp,
        List<Map.Entry<String, byte[]>> sourceHeaders,
        int dlqPartition,
        long dlqOffset) {

    /** Copies the header list. */
    public DeadLetter {
        sourceHeaders = List.copyOf(sourceHeaders);
    }

    /** The last value of the source header {@code name}, or null when the source record had none. */
    public byte[] sourceHeader(String name) {
        byte[] found = null;
        for (Map.Entry<String, byte[]> header : sourceHeaders) {
            if (header.getKey().equals(name)) {
                found = header.getValue();
            }
        }
        return found;
    }
}
