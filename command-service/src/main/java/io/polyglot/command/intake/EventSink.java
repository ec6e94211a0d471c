package io.polyglot.command.intake;

import io.polyglot.schemas.avro.EventEnvelope;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the events of accepted commands go. Until the decider exists this is {@code events.all} itself.
 *
 * <p>The future completes once every event is durably stored, in order; it fails with
 * {@link io.polyglot.runtime.KafkaUnavailableException} when a retry may succeed, and with
 * {@link EventRefusedException} when it cannot.
 */
public interface EventSink {

    CompletableFuture<Void> publish(List<EventEnvelope> events);
}
