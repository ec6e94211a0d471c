package io.polyglot.projection.domain;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Counts the events of aggregates of type {@value LoanApplicationProjection#AGGREGATE_TYPE} per activity and
 * lifecycle, as partial counts per source partition that the view {@code loan_activity_counts} adds up. A missing
 * lifecycle stays null: it is its own group, distinct from every lifecycle the log names.
 */
public final class LoanActivityCountProjection implements Projection<ActivityCountChange> {

    /** The view it maintains. */
    public static final String VIEW = "loan_activity_counts";

    private static final Comparator<Key> KEY_ORDER = Comparator.comparingInt(Key::partition)
            .thenComparing(Key::activity)
            .thenComparing(Key::lifecycle, Comparator.nullsFirst(Comparator.naturalOrder()));

    @Override
    public String name() {
        return VIEW;
    }

    @Override
    public boolean folds(ProjectedEvent event) {
        return LoanApplicationProjection.AGGREGATE_TYPE.equals(event.aggregateType());
    }

    @Override
    public List<ActivityCountChange> fold(List<ProjectedEvent> events) {
        Map<Key, long[]> counts = new TreeMap<>(KEY_ORDER);
        for (ProjectedEvent event : events) {
            if (folds(event)) {
                long[] countAndOffset = counts.computeIfAbsent(
                        new Key(event.partition(), event.activity(), event.lifecycle()), key -> new long[2]);
                countAndOffset[0]++;
                countAndOffset[1] = Math.max(countAndOffset[1], event.offset());
            }
        }
        return counts.entrySet().stream()
                .map(entry -> new ActivityCountChange(
                        entry.getKey().partition(),
                        entry.getKey().activity(),
                        entry.getKey().lifecycle(),
                        entry.getValue()[0],
                        entry.getValue()[1]))
                .toList();
    }

    private record Key(int partition, String activity, String lifecycle) {
        Key {
            Objects.requireNonNull(activity, "activity");
        }
    }
}
