/**
 * Dead letters: records a consumer group could not decode or apply, sent to {@code events.dlq} once per group with
 * the headers of the design, and read back by tools.
 *
 * <p>{@link io.polyglot.runtime.deadletter.DeadLetterPublisher} sends one dead letter and returns once Kafka has it;
 * {@link io.polyglot.runtime.deadletter.DeadLetterLedger} remembers which source offsets a group has dead-lettered
 * already, so a restart between the send and the offset commit sends nothing twice;
 * {@link io.polyglot.runtime.deadletter.DeadLetterReader} lists a group's dead letters. Nothing here knows what a
 * consumer does with its records.
 */
package io.polyglot.runtime.deadletter;
