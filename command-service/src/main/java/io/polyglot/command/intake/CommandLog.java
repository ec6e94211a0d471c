package io.polyglot.command.intake;

import java.util.concurrent.CompletableFuture;

/**
 * Where validated commands wait for the decider: topic {@code commands}, keyed by aggregate id.
 *
 * <p>The future completes once the command is durably stored, with where it is stored; it fails with
 * {@link io.polyglot.runtime.KafkaUnavailableException} when a retry may succeed, and with
 * {@link EventRefusedException} when it cannot.
 */
public interface CommandLog {

    CompletableFuture<CommandPosition> append(Intake.Accepted command);
}
