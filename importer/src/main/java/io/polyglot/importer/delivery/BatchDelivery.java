package io.polyglot.importer.delivery;

import io.polyglot.importer.command.Batch;

/** Sends one batch to the command service and says when its commands leave the machine. */
@FunctionalInterface
public interface BatchDelivery {

    /**
     * @param leaving run once, when the first request of the batch that got a connection starts sending; never for a
     *     batch whose every attempt failed to connect
     * @throws CommandServiceException when the batch could not be delivered
     * @throws InterruptedException when interrupted while waiting
     */
    BatchAnswer send(Batch batch, Runnable leaving) throws CommandServiceException, InterruptedException;
}
