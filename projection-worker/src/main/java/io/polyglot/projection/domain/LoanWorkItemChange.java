package io.polyglot.projection.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The SCHEDULE, START and COMPLETE events of one work item of one application in one batch, in position order. A
 * COMPLETE may close a START of an earlier batch and a START may take its SCHEDULE from one, so the store resolves the
 * change against the stored {@link LoanWorkItemState} inside the batch's transaction.
 *
 * @param applicationId the aggregate id
 * @param workItem the work item's activity, {@code W_...}
 * @param events its events in the batch, in position order
 */
public record LoanWorkItemChange(String applicationId, String workItem, List<Step> events) {

    static final String SCHEDULE = "SCHEDULE";
    static final String START = "START";
    static final String COMPLETE = "COMPLETE";

    public LoanWorkItemChange {
        events = List.copyOf(events);
    }

    /** Whether a lifecycle transition, as the log wrote it, is one a work item row follows. */
    static boolean followed(String lifecycle) {
        if (lifecycle == null) {
            return false;
        }
        String transition = lifecycle.toUpperCase(Locale.ROOT);
        return transition.equals(SCHEDULE) || transition.equals(START) || transition.equals(COMPLETE);
    }

    /**
     * The rows and the state this change writes. Events the stored state has seen already are passed over, so
     * resolving a replayed batch against its own result writes nothing.
     *
     * @param stored the work item's stored state, or null when it has none
     */
    public Resolved resolve(LoanWorkItemState stored) {
        List<LoanWorkItemRow> rows = new ArrayList<>();
        LoanWorkItemRow open = stored == null || stored.openStart() == null
                ? null
                : new LoanWorkItemRow(
                        applicationId,
                        workItem,
                        stored.openStart(),
                        null,
                        stored.openStartedAt(),
                        null,
                        stored.source().offset());
        boolean openIsNew = false;
        Instant lastScheduledAt = stored == null ? null : stored.lastScheduledAt();
        SourcePosition last = null;
        for (Step event : events) {
            if (stored != null && stored.source().covers(event.partition(), event.offset())) {
                continue;
            }
            last = new SourcePosition(event.partition(), event.offset());
            switch (event.lifecycle().toUpperCase(Locale.ROOT)) {
                case SCHEDULE -> lastScheduledAt = event.occurredAt();
                case START -> {
                    if (openIsNew) {
                        rows.add(open);
                    }
                    open = new LoanWorkItemRow(
                            applicationId, workItem, last, lastScheduledAt, event.occurredAt(), null, event.offset());
                    openIsNew = true;
                }
                case COMPLETE -> {
                    // A COMPLETE with no open START is ignored: it closes nothing.
                    if (open != null) {
                        rows.add(open.completed(event.occurredAt(), event.offset()));
                        open = null;
                        openIsNew = false;
                    }
                }
                default -> {}
            }
        }
        if (openIsNew) {
            rows.add(open);
        }
        if (last == null) {
            return new Resolved(rows, null);
        }
        // Stored even when nothing is open or scheduled: the row is the work item's replay guard, and whether it exists
        // must not depend on where the batches were cut (a START and its COMPLETE in one batch or in two).
        LoanWorkItemState state = new LoanWorkItemState(
                applicationId,
                workItem,
                open == null ? null : open.start(),
                open == null ? null : open.startedAt(),
                lastScheduledAt,
                last);
        return new Resolved(rows, state);
    }

    /**
     * A resolved change.
     *
     * @param rows the work item rows to write, in start order
     * @param state the state to store, or null when the change held no event the stored state had not seen
     */
    public record Resolved(List<LoanWorkItemRow> rows, LoanWorkItemState state) {}

    /**
     * One event of the work item.
     *
     * @param partition the partition it was read from
     * @param offset its offset there
     * @param lifecycle SCHEDULE, START or COMPLETE, as the log wrote it
     * @param occurredAt its business time
     */
    public record Step(int partition, long offset, String lifecycle, Instant occurredAt) {}
}
