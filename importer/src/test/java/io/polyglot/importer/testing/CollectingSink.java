package io.polyglot.importer.testing;

import io.polyglot.importer.log.CaseEvent;
import io.polyglot.importer.log.EventSink;
import io.polyglot.importer.log.LogEntry;
import io.polyglot.importer.log.UnusableEvent;
import java.util.ArrayList;
import java.util.List;

/** Keeps every entry a reader delivers; only for the small logs written inside tests. */
public final class CollectingSink implements EventSink {

    private final List<LogEntry> entries = new ArrayList<>();

    @Override
    public void accept(LogEntry entry) {
        entries.add(entry);
    }

    /** Everything delivered, in order. */
    public List<LogEntry> entries() {
        return entries;
    }

    /** The usable events, in order. */
    public List<CaseEvent> events() {
        return entries.stream()
                .filter(CaseEvent.class::isInstance)
                .map(CaseEvent.class::cast)
                .toList();
    }

    /** The unusable events, in order. */
    public List<UnusableEvent> unusable() {
        return entries.stream()
                .filter(UnusableEvent.class::isInstance)
                .map(UnusableEvent.class::cast)
                .toList();
    }
}
