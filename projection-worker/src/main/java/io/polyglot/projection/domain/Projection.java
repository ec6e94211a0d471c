package io.polyglot.projection.domain;

import java.util.List;

/**
 * A read model's rule: folds a batch of events, in their order in the partition, into row changes. Plain code with no
 * broker and no database, so every rule is tested on hand-built events.
 *
 * @param <C> the row change it produces
 */
public interface Projection<C> {

    /** The view the projection maintains, also the {@code projection} tag of its metrics. */
    String name();

    /** Whether the projection folds this event. */
    boolean folds(ProjectedEvent event);

    /**
     * The changes a batch makes, one per row, ordered by the row's key so that writers lock rows in one order.
     *
     * @param events the batch's events in arrival order within each partition; events it does not fold are ignored
     */
    List<C> fold(List<ProjectedEvent> events);
}
