package io.polyglot.importer.delivery;

import io.polyglot.importer.command.Batch;

/** Sends one batch and answers the final result of each of its commands; {@link CommandServiceClient} in production. */
@FunctionalInterface
public interface BatchSender {

    /**
     * @throws CommandServiceException when the batch could not be delivered
     * @throws InterruptedException when interrupted while waiting
     */
    BatchAnswer send(Batch batch) throws CommandServiceException, InterruptedException;
}
