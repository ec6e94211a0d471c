package io.polyglot.command.decider;

import io.polyglot.command.avro.AggregateHead;
import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.avro.CommandRecord;
import io.polyglot.command.avro.DecidedEvent;
import io.polyglot.command.avro.Outcome;
import io.polyglot.command.intake.EventDraft;
import io.polyglot.command.rules.RuleBook;
import io.polyglot.command.rules.RuleState;
import io.polyglot.command.rules.Verdict;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides one command against its aggregate's head and the earlier decision of its command id, if any: the pure
 * heart of the decider, without Kafka, so that every outcome is tested without a broker.
 *
 * <p>In order: a command id decided before in this aggregate's partition answers with that first decision when the
 * aggregate and the body are the same (by either of the command's body hashes, see {@link CommandIdClaim}), and with
 * {@code COMMAND_ID_REUSED} when either differs; a command id claimed in another partition (see {@link CommandIdClaim})
 * is {@code COMMAND_ID_REUSED} unless the claim is this very command; then the expected version is checked ({@code 0}
 * means the aggregate must not exist, {@code n} that its version is {@code n}); then the aggregate type's rules, event
 * by event. An accepted command's events get versions following the head's, without gaps, and the decision time as
 * {@code recordedAt}.
 */
public final class Decider {

    private final RuleBook rules;
    private final EventCodec codec;

    public Decider(RuleBook rules, EventCodec codec) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /**
     * Decides {@code command}.
     *
     * @param head the aggregate's head, empty when it does not exist yet
     * @param earlier the decision this partition keeps for the command's id, empty when there is none
     * @param claim what every partition knows of the command's id ({@code commands.ids}), empty when nothing; read
     *     only when {@code earlier} is empty
     * @param now the decision time
     */
    public Judgement decide(
            CommandRecord command,
            Optional<AggregateHead> head,
            Optional<CommandDecision> earlier,
            Optional<CommandIdClaim> claim,
            Instant now) {
        Instant decidedAt = now.truncatedTo(ChronoUnit.MICROS);
        if (earlier.isPresent()) {
            return again(command, earlier.get(), decidedAt);
        }
        // A claim that is this very command, with no kept decision, means the partition swept the id and its tombstone
        // has not reached the global store yet: the id is free again, so the command is decided as new.
        if (claim.isPresent() && !claim.get().isFor(command)) {
            return reused(command, claim.get().aggregateKey(), decidedAt);
        }
        long current = head.map(AggregateHead::getVersion).orElse(0L);
        Long expected = command.getExpectedVersion();
        if (expected != null && expected != current) {
            CommandDecision conflict = refusal(command, Outcome.VERSION_CONFLICT, decidedAt)
                    .setExpectedVersion(expected)
                    .setCurrentVersion(current)
                    .setDetail("the command expects version " + expected + " but the aggregate is at " + current)
                    .build();
            return Judgement.kept(conflict);
        }
        List<EventEnvelope> events = new ArrayList<>(command.getEvents().size());
        for (ByteBuffer bytes : command.getEvents()) {
            events.add(codec.decode(bytes(bytes)));
        }
        RuleState state = head.map(h -> RuleState.of(h.getState())).orElse(null);
        Verdict verdict = rules.decide(command.getAggregateType(), state, drafts(events));
        if (verdict instanceof Verdict.Violated violated) {
            CommandDecision refused = refusal(command, Outcome.RULE_VIOLATED, decidedAt)
                    .setRule(violated.rule())
                    .setDetail(violated.detail())
                    .build();
            return Judgement.kept(refused);
        }
        return accepted(command, events, current, ((Verdict.Allowed) verdict).next(), head, decidedAt);
    }

    private Judgement accepted(
            CommandRecord command,
            List<EventEnvelope> drafts,
            long current,
            RuleState next,
            Optional<AggregateHead> head,
            Instant decidedAt) {
        List<EventEnvelope> events = new ArrayList<>(drafts.size());
        List<DecidedEvent> decided = new ArrayList<>(drafts.size());
        long version = current;
        for (EventEnvelope draft : drafts) {
            version++;
            EventEnvelope event = EventEnvelope.newBuilder(draft)
                    .setAggregateVersion(version)
                    .setRecordedAt(decidedAt)
                    .build();
            events.add(event);
            decided.add(new DecidedEvent(event.getEventId(), version));
        }
        CommandDecision decision =
                base(command, Outcome.ACCEPTED, decidedAt).setEvents(decided).build();
        Optional<AggregateHead> nextHead = events.isEmpty()
                ? head
                : Optional.of(AggregateHead.newBuilder()
                        .setAggregateType(command.getAggregateType())
                        .setAggregateId(command.getAggregateId())
                        .setVersion(version)
                        .setLastEventAt(decidedAt)
                        .setState(next.values())
                        .build());
        return new Judgement(decision, true, events.isEmpty() ? Optional.empty() : nextHead, events);
    }

    private static Judgement again(CommandRecord command, CommandDecision earlier, Instant decidedAt) {
        CommandIdClaim first = CommandIdClaim.of(earlier);
        if (first.isFor(command)) {
            // The retry's own hash, not the first command's: the request waits for the decision of the body it sent,
            // and a retry written differently, or sent after an upgrade, has another hash than the first command.
            return Judgement.repeated(CommandDecision.newBuilder(earlier)
                    .setBodyHash(command.getBodyHash())
                    .setReplayed(true)
                    .build());
        }
        return reused(command, first.aggregateKey(), decidedAt);
    }

    private static Judgement reused(CommandRecord command, String firstAggregate, Instant decidedAt) {
        String ownAggregate = DeciderTopology.headKey(command.getAggregateType(), command.getAggregateId());
        String detail = firstAggregate.equals(ownAggregate)
                ? "command id " + command.getCommandId() + " was already used for a command with a different body"
                : "command id " + command.getCommandId() + " was already used for a command of aggregate "
                        + firstAggregate;
        CommandDecision reused = refusal(command, Outcome.COMMAND_ID_REUSED, decidedAt)
                .setDetail(detail)
                .build();
        return Judgement.repeated(reused);
    }

    private List<EventDraft> drafts(List<EventEnvelope> events) {
        List<EventDraft> drafts = new ArrayList<>(events.size());
        for (EventEnvelope event : events) {
            drafts.add(new EventDraft(event.getType(), codec.decodePayload(event.getPayload()), event.getOccurredAt()));
        }
        return drafts;
    }

    private static CommandDecision.Builder refusal(CommandRecord command, Outcome outcome, Instant decidedAt) {
        return base(command, outcome, decidedAt).setEvents(List.of());
    }

    private static CommandDecision.Builder base(CommandRecord command, Outcome outcome, Instant decidedAt) {
        return CommandDecision.newBuilder()
                .setCommandId(command.getCommandId())
                .setAggregateType(command.getAggregateType())
                .setAggregateId(command.getAggregateId())
                .setBodyHash(command.getBodyHash())
                .setOutcome(outcome)
                .setDecidedAt(decidedAt);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }

    /**
     * What deciding one command comes to.
     *
     * @param decision the answer to publish on {@code commands.decisions}
     * @param remember whether {@code decision} is the first decision of its command id, to keep for retries and to
     *     claim the id on {@code commands.ids}
     * @param nextHead the aggregate's head to store, empty when it does not change
     * @param events the events to append to {@code events.all}, in order
     */
    public record Judgement(
            CommandDecision decision, boolean remember, Optional<AggregateHead> nextHead, List<EventEnvelope> events) {

        public Judgement {
            Objects.requireNonNull(decision, "decision");
            Objects.requireNonNull(nextHead, "nextHead");
            events = List.copyOf(events);
        }

        static Judgement kept(CommandDecision decision) {
            return new Judgement(decision, true, Optional.empty(), List.of());
        }

        static Judgement repeated(CommandDecision decision) {
            return new Judgement(decision, false, Optional.empty(), List.of());
        }
    }
}
