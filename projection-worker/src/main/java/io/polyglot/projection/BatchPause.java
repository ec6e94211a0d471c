package io.polyglot.projection;

/**
 * Points in the life of one batch where a test can hold the worker: to kill its process there, or to let another
 * instance overtake it. Production runs with {@link #NONE}; {@link TestStall} is the process-wide test hook.
 */
@FunctionalInterface
public interface BatchPause {

    /** Does nothing: the batch goes on at once. */
    BatchPause NONE = point -> {};

    /** Called when a batch reaches {@code point}; returning lets it go on. */
    void reached(Point point);

    /** Where a batch can be held. */
    enum Point {
        /** Its transaction is open and nothing of it is written yet, not even the offset update. */
        TRANSACTION_STARTED,
        /** Its offsets and rows are written, the commit is not sent yet. */
        BEFORE_COMMIT,
        /** It is committed in the database; nothing else (Kafka's informational commit, metrics) has happened. */
        AFTER_COMMIT
    }
}
