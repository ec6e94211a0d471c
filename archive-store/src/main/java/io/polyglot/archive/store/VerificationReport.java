package io.polyglot.archive.store;

import java.util.List;
import java.util.Map;

/**
 * What {@link ArchiveVerifier} found.
 *
 * @param segments how many segment objects were checked
 * @param eventsByAggregateType how many events the segments hold, per aggregate type
 * @param problems one sentence per problem found, empty when the archive is sound
 */
public record VerificationReport(int segments, Map<String, Long> eventsByAggregateType, List<String> problems) {

    /** Copies the collections. */
    public VerificationReport {
        eventsByAggregateType = Map.copyOf(eventsByAggregateType);
        problems = List.copyOf(problems);
    }

    /** Whether no problem was found. */
    public boolean sound() {
        return problems.isEmpty();
    }

    /** How many events the segments hold in all. */
    public long events() {
        return eventsByAggregateType.values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }
}
