package io.polyglot.projection.rebuild;

import io.polyglot.runtime.deadletter.DeadLetterSource;
import java.util.Set;

/**
 * The records a rebuild leaves out so that it folds what the live worker folded: the group's dead letters that no one
 * retried. Asked again before every catch-up, because the live worker may dead-letter a record while a rebuild runs;
 * it does so before its stored offset passes the record, so a set read after the offsets covers every record below
 * them.
 */
@FunctionalInterface
public interface LeftOutRecords {

    /** Leaves nothing out. */
    LeftOutRecords NONE = Set::of;

    /**
     * The records to leave out now.
     *
     * @throws io.polyglot.runtime.KafkaUnavailableException when the dead letters cannot be read
     */
    Set<DeadLetterSource> now();
}
