package io.polyglot.command.decider;

import io.polyglot.command.avro.AggregateHead;
import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.avro.CommandRecord;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.UndecodableRecordException;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The decider's stream processor: reads one command, asks the {@link Decider}, then writes the aggregate's new head
 * and the decision to its stores and forwards the events and the decision. Under {@code exactly_once_v2} the store
 * changes, the outputs and the input offset commit in one transaction, so a crash never applies a command twice nor
 * loses one.
 *
 * <p>A command id that its partition keeps no decision for is looked up among the claims of this instance not yet
 * copied ({@link ClaimsInFlight}), then in the global store of every partition's claims; every newly kept decision
 * claims its id on {@code commands.ids} in the same transaction.
 *
 * <p>Kept decisions expire with a wall-clock punctuator: every sweep interval it deletes those decided longer than
 * the retention ago and gives up their claims with tombstones. A full scan is cheap next to the sweep interval at the
 * sizes a partition holds; a retried command id older than the retention is decided anew.
 */
final class DecisionStep implements Processor<String, byte[], String, byte[]> {

    private static final Logger log = LoggerFactory.getLogger(DecisionStep.class);

    private final Decider decider;
    private final EventCodec codec;
    private final Duration retention;
    private final Duration sweepInterval;
    private final ClaimsInFlight inFlight;
    private final UncommittedChanges uncommitted;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> heads;
    private KeyValueStore<String, byte[]> decisions;
    private KeyValueStore<String, byte[]> ids;

    DecisionStep(
            Decider decider,
            EventCodec codec,
            Duration retention,
            Duration sweepInterval,
            ClaimsInFlight inFlight,
            UncommittedChanges uncommitted) {
        this.decider = decider;
        this.codec = codec;
        this.retention = retention;
        this.sweepInterval = sweepInterval;
        this.inFlight = inFlight;
        this.uncommitted = uncommitted;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.heads = context.getStateStore(DeciderTopology.HEADS_STORE);
        this.decisions = context.getStateStore(DeciderTopology.DECISIONS_STORE);
        this.ids = context.getStateStore(DeciderTopology.IDS_STORE);
        context.schedule(sweepInterval, PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        CommandRecord command;
        Decider.Judgement judgement;
        String headKey;
        byte[] headBefore;
        try {
            command = DeciderRecords.command(record.value());
            headKey = DeciderTopology.headKey(command.getAggregateType(), command.getAggregateId());
            headBefore = heads.get(headKey);
            Optional<AggregateHead> head = Optional.ofNullable(headBefore).map(DeciderRecords::head);
            Optional<CommandDecision> earlier =
                    Optional.ofNullable(decisions.get(command.getCommandId())).map(DeciderRecords::decision);
            Optional<CommandIdClaim> claim = earlier.isPresent() ? Optional.empty() : claim(command.getCommandId());
            Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
            judgement = decider.decide(command, head, earlier, claim, now);
        } catch (UndecodableRecordException e) {
            // Only the command service writes this topic; a record it cannot have written is skipped rather than
            // retried forever, and the log says where it is.
            log.warn("Unreadable command skipped (source={})", where(), e);
            return;
        }
        MDC.put("commandId", command.getCommandId());
        try {
            apply(headKey, headBefore, judgement);
            log.debug("Command decided (outcome={})", judgement.decision().getOutcome());
        } finally {
            MDC.remove("commandId");
        }
    }

    /** The claim on {@code commandId} made in this instance and not copied yet, else the one every instance knows. */
    private Optional<CommandIdClaim> claim(String commandId) {
        Optional<CommandIdClaim> inThisInstance = inFlight.claim(commandId);
        return inThisInstance.isPresent() ? inThisInstance : claimKnownEverywhere(commandId);
    }

    private Optional<CommandIdClaim> claimKnownEverywhere(String commandId) {
        byte[] value = ids.get(commandId);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(CommandIdClaim.decode(value));
        } catch (UndecodableRecordException e) {
            // Only the decider writes commands.ids; an unreadable claim is treated as none rather than refusing every
            // later use of the id.
            log.warn("Unreadable command id claim ignored", e);
            return Optional.empty();
        }
    }

    private String where() {
        return context.recordMetadata()
                .map(meta -> meta.topic() + "-" + meta.partition() + "@" + meta.offset())
                .orElse("unknown");
    }

    private void apply(String headKey, byte[] headBefore, Decider.Judgement judgement) {
        CommandDecision decision = judgement.decision();
        Optional<RecordMetadata> source = context.recordMetadata();
        // The same bytes go to the store and to commands.decisions; neither changes an array once given it.
        byte[] decisionBytes = DeciderRecords.encode(decision);
        // Each write is noted before the store holds it, so that a read never finds it in the store unnoted.
        judgement.nextHead().ifPresent(head -> {
            byte[] headAfter = DeciderRecords.encode(head);
            source.ifPresent(
                    at -> uncommitted.headWritten(headKey, headBefore, headAfter, at.partition(), at.offset()));
            heads.put(headKey, headAfter);
        });
        if (judgement.remember()) {
            source.ifPresent(at -> uncommitted.decisionWritten(decision.getCommandId(), at.partition(), at.offset()));
            decisions.put(decision.getCommandId(), decisionBytes);
            CommandIdClaim claim = CommandIdClaim.of(decision);
            inFlight.claimed(decision.getCommandId(), claim);
            context.forward(
                    new Record<>(
                            decision.getCommandId(),
                            claim.encode(),
                            decision.getDecidedAt().toEpochMilli()),
                    DeciderTopology.IDS_SINK);
        }
        for (EventEnvelope event : judgement.events()) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(Topics.HEADER_AGGREGATE_TYPE, event.getAggregateType().getBytes(StandardCharsets.UTF_8));
            headers.add(Topics.HEADER_EVENT_TYPE, event.getType().getBytes(StandardCharsets.UTF_8));
            context.forward(
                    new Record<>(
                            event.getAggregateId(),
                            codec.encode(event),
                            event.getRecordedAt().toEpochMilli(),
                            headers),
                    DeciderTopology.EVENTS_SINK);
        }
        // The decision names the command record it answers: a request waits for the decision of its own record,
        // and two records of one command (a retry sent while the first was undecided) are decided apart.
        RecordHeaders answered = new RecordHeaders();
        source.ifPresent(at -> DecisionHeaders.write(answered, at.partition(), at.offset()));
        context.forward(
                new Record<>(
                        decision.getAggregateId(),
                        decisionBytes,
                        decision.getDecidedAt().toEpochMilli(),
                        answered),
                DeciderTopology.DECISIONS_SINK);
    }

    private void sweep(long wallClockMs) {
        Instant oldest = Instant.ofEpochMilli(wallClockMs).minus(retention);
        List<CommandDecision> expired = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = decisions.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                CommandDecision decision = DeciderRecords.decision(entry.value);
                if (decision.getDecidedAt().isBefore(oldest)) {
                    expired.add(decision);
                }
            }
        }
        for (CommandDecision decision : expired) {
            decisions.delete(decision.getCommandId());
            release(decision, wallClockMs);
        }
        if (!expired.isEmpty()) {
            log.debug("Expired kept decisions removed (count={}, before={})", expired.size(), oldest);
        }
    }

    /**
     * Gives up the id of an expired decision, unless another partition holds the claim: two partitions can both have
     * decided one id within the window described in {@link DeciderTopology}, and the later claim is the one kept.
     */
    private void release(CommandDecision decision, long wallClockMs) {
        Optional<CommandIdClaim> claim = claimKnownEverywhere(decision.getCommandId());
        if (claim.isEmpty() || claim.get().equals(CommandIdClaim.of(decision))) {
            context.forward(
                    new Record<String, byte[]>(decision.getCommandId(), null, wallClockMs), DeciderTopology.IDS_SINK);
        }
    }
}
