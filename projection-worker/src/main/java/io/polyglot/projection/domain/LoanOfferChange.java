package io.polyglot.projection.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The offer events ({@code O_...}) of one application in one batch, in position order. Which offer an event belongs
 * to depends on the offers created before the batch, so the store resolves the change against the application's
 * latest stored offer inside the batch's transaction.
 *
 * @param applicationId the aggregate id
 * @param events the application's offer events in the batch, in position order
 */
public record LoanOfferChange(String applicationId, List<OfferEvent> events) {

    static final String CREATED = "O_CREATED";
    static final String SELECTED = "O_SELECTED";
    private static final Set<String> DECISIONS = Set.of("O_ACCEPTED", "O_DECLINED", "O_CANCELLED");

    public LoanOfferChange {
        events = List.copyOf(events);
    }

    /**
     * The rows this change writes, ordered by offer number: every offer the batch creates, and the latest offer
     * created before it when the batch has events for that one. Events the latest row has seen already are passed
     * over, so resolving a replayed batch against its own result writes nothing.
     *
     * @param latest the application's latest created offer as stored, or null when it has none
     */
    public List<LoanOfferRow> resolve(LoanOfferRow latest) {
        List<LoanOfferRow> rows = new ArrayList<>();
        LoanOfferRow current = latest;
        boolean currentChanged = false;
        for (OfferEvent event : events) {
            if (latest != null && latest.source().covers(event.partition(), event.offset())) {
                continue;
            }
            SourcePosition source = new SourcePosition(event.partition(), event.offset());
            if (CREATED.equals(event.activity())) {
                if (currentChanged) {
                    rows.add(current);
                }
                int number = current == null ? 1 : current.offerNo() + 1;
                current = new LoanOfferRow(applicationId, number, CREATED, event.occurredAt(), null, source);
                currentChanged = true;
            } else if (current != null && !SELECTED.equals(event.activity())) {
                // O_SELECTED picks the offer that is created next: it changes nothing of an offer created already.
                Instant decidedAt = current.decidedAt() == null && DECISIONS.contains(event.activity())
                        ? event.occurredAt()
                        : current.decidedAt();
                current = new LoanOfferRow(
                        applicationId, current.offerNo(), event.activity(), current.createdAt(), decidedAt, source);
                currentChanged = true;
            }
        }
        if (currentChanged) {
            rows.add(current);
        }
        return rows;
    }

    /**
     * One offer event.
     *
     * @param partition the partition it was read from
     * @param offset its offset there
     * @param activity the activity, {@code O_...}
     * @param occurredAt its business time
     */
    public record OfferEvent(int partition, long offset, String activity, Instant occurredAt) {}
}
