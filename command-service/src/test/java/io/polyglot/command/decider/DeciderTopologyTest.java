package io.polyglot.command.decider;

import static io.polyglot.command.decider.Commands.CODEC;
import static io.polyglot.command.decider.Commands.command;
import static io.polyglot.command.decider.Commands.loan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.polyglot.command.avro.AggregateHead;
import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.avro.CommandRecord;
import io.polyglot.command.avro.DecidedEvent;
import io.polyglot.command.avro.Outcome;
import io.polyglot.command.intake.CommandPosition;
import io.polyglot.command.rules.LoanApplicationRules;
import io.polyglot.command.rules.RuleBook;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeciderTopologyTest {

    private static final Instant START = Instant.parse("2026-01-05T10:00:00Z");
    private static final Duration RETENTION = Duration.ofDays(7);

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private final UncommittedChanges uncommitted = new UncommittedChanges();
    private TestInputTopic<String, byte[]> commands;
    private TestOutputTopic<String, byte[]> events;
    private TestOutputTopic<String, byte[]> decisions;
    private TestOutputTopic<String, byte[]> claims;
    private TestInputTopic<String, byte[]> otherPartitionsClaims;

    @BeforeEach
    void start() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "decider-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        Decider decider = new Decider(RuleBook.of(new LoanApplicationRules()), CODEC);
        driver = new TopologyTestDriver(
                DeciderTopology.build(decider, CODEC, RETENTION, Duration.ofMinutes(10), uncommitted), config, START);
        commands = driver.createInputTopic(Topics.COMMANDS, new StringSerializer(), new ByteArraySerializer());
        events = driver.createOutputTopic(Topics.EVENTS_ALL, new StringDeserializer(), new ByteArrayDeserializer());
        decisions = driver.createOutputTopic(
                Topics.COMMANDS_DECISIONS, new StringDeserializer(), new ByteArrayDeserializer());
        claims = driver.createOutputTopic(Topics.COMMANDS_IDS, new StringDeserializer(), new ByteArrayDeserializer());
        // The driver runs one task; what the tasks of other partitions claim is piped in as they would write it.
        otherPartitionsClaims =
                driver.createInputTopic(Topics.COMMANDS_IDS, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void notesEachStoreWriteUntilTheDecisionOfItsCommandOrOfALaterOneIsSeenCommitted() {
        // given: two commands of one new aggregate, at offsets 0 and 1 of partition 0
        String key = DeciderTopology.headKey("LoanApplication", "case-1");
        send(loan("c1", "case-1", "A_SUBMITTED"));
        send(loan("c2", "case-1", "A_PARTLYSUBMITTED"));

        // then: both decisions wait for their commit, and the committed head is none, as before c1
        assertThat(uncommitted.decisionUncommitted(0, "c1")).isTrue();
        assertThat(uncommitted.decisionUncommitted("c2")).isTrue();
        assertThat(uncommitted.decisionUncommitted(1, "c1")).isFalse();
        assertThat(uncommitted.committedHead(0, key))
                .hasValueSatisfying(head -> assertThat(head.value()).isNull());

        // when: the decision of c1 is seen committed
        uncommitted.committedUpTo(0, 0);

        // then: c1 and the head it wrote count; c2 and its head still wait
        assertThat(uncommitted.decisionUncommitted(0, "c1")).isFalse();
        assertThat(uncommitted.decisionUncommitted(0, "c2")).isTrue();
        assertThat(uncommitted.committedHead(0, key))
                .hasValueSatisfying(
                        head -> assertThat(DeciderRecords.head(head.value()).getVersion())
                                .isEqualTo(1L));

        // when: c2's is too
        uncommitted.committedUpTo(0, 1);

        // then: nothing waits, and the store holds the committed head
        assertThat(uncommitted.decisionUncommitted("c2")).isFalse();
        assertThat(uncommitted.committedHead(0, key)).isEmpty();
        assertThat(head("LoanApplication", "case-1").getVersion()).isEqualTo(2L);
    }

    @Test
    void keepsANoteOfAnotherPartitionWhenOnePartitionCommits() {
        // given
        send(loan("c1", "case-1", "A_SUBMITTED"));

        // when
        uncommitted.committedUpTo(1, 5);

        // then
        assertThat(uncommitted.decisionUncommitted(0, "c1")).isTrue();
    }

    @Test
    void numbersTheEventsOfAnAggregateFromOneWithoutGaps() {
        // when
        send(loan("c1", "case-1", "A_SUBMITTED", "A_PARTLYSUBMITTED"));
        send(loan("c2", "case-1", "A_PREACCEPTED"));
        send(loan("c3", "case-2", "A_SUBMITTED"));

        // then
        List<EventEnvelope> out =
                events.readValuesToList().stream().map(CODEC::decode).toList();
        assertThat(out)
                .extracting(EventEnvelope::getAggregateId, EventEnvelope::getAggregateVersion)
                .containsExactly(tuple("case-1", 1L), tuple("case-1", 2L), tuple("case-1", 3L), tuple("case-2", 1L));
    }

    @Test
    void publishesEventsKeyedByAggregateWithTheirHeadersAndTheAppendTimeAsTimestamp() {
        // when
        send(loan("c1", "case-1", "A_SUBMITTED"));

        // then
        TestRecord<String, byte[]> record = events.readRecord();
        EventEnvelope event = CODEC.decode(record.value());
        assertThat(record.key()).isEqualTo("case-1");
        assertThat(header(record, Topics.HEADER_AGGREGATE_TYPE)).isEqualTo("LoanApplication");
        assertThat(header(record, Topics.HEADER_EVENT_TYPE)).isEqualTo("ActivityRecorded");
        assertThat(event.getRecordedAt()).isEqualTo(START);
        assertThat(record.timestamp()).isEqualTo(START.toEpochMilli());
        assertThat(event.getOccurredAt()).isEqualTo(Instant.parse("2011-10-01T00:38:44.546Z"));
    }

    @Test
    void answersAnAcceptedCommandWithItsEventIdsAndVersions() {
        // when
        send(loan("c1", "case-1", "A_SUBMITTED", "A_PARTLYSUBMITTED"));

        // then
        List<String> eventIds = events.readValuesToList().stream()
                .map(CODEC::decode)
                .map(EventEnvelope::getEventId)
                .toList();
        CommandDecision decision = nextDecision();
        assertThat(decision.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(decision.getCommandId()).isEqualTo("c1");
        assertThat(decision.getEvents())
                .containsExactly(new DecidedEvent(eventIds.get(0), 1L), new DecidedEvent(eventIds.get(1), 2L));
    }

    @Test
    void refusesANewAggregateWhenTheCommandExpectsItNotToExistAndItDoes() {
        // given
        send(command("c1", "Ticket", "t-1", 0L, "opened"));
        nextDecision();

        // when
        send(command("c2", "Ticket", "t-1", 0L, "opened again"));

        // then
        CommandDecision decision = nextDecision();
        assertThat(decision.getOutcome()).isEqualTo(Outcome.VERSION_CONFLICT);
        assertThat(decision.getExpectedVersion()).isEqualTo(0L);
        assertThat(decision.getCurrentVersion()).isEqualTo(1L);
        assertThat(events.readValuesToList()).hasSize(1);
    }

    @Test
    void acceptsExactlyOneOfTwoCommandsThatExpectTheSameVersion() {
        // given
        send(command("c1", "Ticket", "t-1", null, "opened", "assigned"));
        nextDecision();

        // when
        send(command("c2", "Ticket", "t-1", 2L, "escalated"));
        send(command("c3", "Ticket", "t-1", 2L, "closed"));

        // then
        CommandDecision first = nextDecision();
        CommandDecision second = nextDecision();
        assertThat(first.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(first.getEvents())
                .extracting(DecidedEvent::getAggregateVersion)
                .containsExactly(3L);
        assertThat(second.getOutcome()).isEqualTo(Outcome.VERSION_CONFLICT);
        assertThat(second.getCurrentVersion()).isEqualTo(3L);
        assertThat(events.readValuesToList()).hasSize(3);
    }

    @Test
    void refusesACommandThatBreaksARuleNamingTheRuleAndProducesNothing() {
        // given
        send(loan("c1", "case-1", "A_SUBMITTED"));
        nextDecision();
        events.readValuesToList();

        // when
        send(loan("c2", "case-1", "O_SENT"));

        // then
        CommandDecision decision = nextDecision();
        assertThat(decision.getOutcome()).isEqualTo(Outcome.RULE_VIOLATED);
        assertThat(decision.getRule()).isEqualTo(LoanApplicationRules.OFFER_NEEDS_CREATION);
        assertThat(events.isEmpty()).isTrue();
        assertThat(head("LoanApplication", "case-1").getVersion()).isEqualTo(1L);
    }

    @Test
    void answersARetriedCommandWithItsFirstDecisionAndProducesNothingNew() {
        // given
        CommandRecord command = loan("c1", "case-1", "A_SUBMITTED");
        send(command);
        CommandDecision first = nextDecision();
        events.readValuesToList();
        claims.readRecord();
        assertThat(claimKnownEverywhere("c1")).isEqualTo(CommandIdClaim.of(command));

        // when
        send(command);

        // then
        assertThat(nextDecision()).isEqualTo(replayOf(first));
        assertThat(events.isEmpty()).isTrue();
        assertThat(claims.isEmpty()).isTrue();
        assertThat(head("LoanApplication", "case-1").getVersion()).isEqualTo(1L);
    }

    @Test
    void namesOnEachDecisionTheCommandRecordItAnswersAlsoForTwoRecordsOfTheSameCommand() {
        // given: a command, the same command again before the first is answered, and another command
        CommandRecord command = loan("c1", "case-1", "A_SUBMITTED");
        send(command);
        send(command);
        send(loan("c2", "case-2", "A_SUBMITTED"));

        // when
        List<TestRecord<String, byte[]>> published = decisions.readRecordsToList();

        // then: the driver's one partition, offsets 0, 1 and 2 of commands
        assertThat(published)
                .extracting(
                        record -> DeciderRecords.decision(record.value()).getCommandId(),
                        record -> DeciderRecords.decision(record.value()).getReplayed(),
                        record -> header(record, DecisionHeaders.COMMAND_PARTITION),
                        record -> header(record, DecisionHeaders.COMMAND_OFFSET))
                .containsExactly(
                        tuple("c1", false, "0", "0"), tuple("c1", true, "0", "1"), tuple("c2", false, "0", "2"));
        assertThat(published)
                .extracting(record -> DecisionHeaders.answered(record.headers()))
                .containsExactly(new CommandPosition(0, 0), new CommandPosition(0, 1), new CommandPosition(0, 2));
    }

    @Test
    void refusesACommandIdReusedWithAnotherBodyAndKeepsTheFirstDecision() {
        // given
        send(loan("c1", "case-1", "A_SUBMITTED"));
        CommandDecision first = nextDecision();

        // when
        send(loan("c1", "case-1", "A_PARTLYSUBMITTED"));
        send(loan("c1", "case-1", "A_SUBMITTED"));

        // then
        assertThat(nextDecision().getOutcome()).isEqualTo(Outcome.COMMAND_ID_REUSED);
        assertThat(nextDecision()).isEqualTo(replayOf(first));
        assertThat(events.readValuesToList()).hasSize(1);
    }

    @Test
    void answersARetryOfACommandDecidedBeforeTheCanonicalHashWithItsFirstDecisionAndOwnHash() {
        // given
        CommandRecord first = loan("c1", "case-1", "A_SUBMITTED");
        CommandDecision decided = decideAsBeforeTheCanonicalHash(first, "hash-as-sent");

        // when: the same command retried through this version, with its canonical hash and the hash as sent
        send(CommandRecord.newBuilder(first)
                .setBodyHash("canonical-hash")
                .setBodyHashAsSent("hash-as-sent")
                .build());

        // then
        assertThat(decided.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(decided.getBodyHash()).isEqualTo("hash-as-sent");
        assertThat(nextDecision())
                .isEqualTo(CommandDecision.newBuilder(replayOf(decided))
                        .setBodyHash("canonical-hash")
                        .build());
        assertThat(events.isEmpty()).isTrue();
        assertThat(head("LoanApplication", "case-1").getVersion()).isEqualTo(1L);
    }

    @Test
    void refusesACommandIdReusedAfterTheUpgradeWhenNeitherHashIsTheFirstCommands() {
        // given
        CommandRecord first = loan("c1", "case-1", "A_SUBMITTED");
        decideAsBeforeTheCanonicalHash(first, "hash-as-sent");

        // when
        send(CommandRecord.newBuilder(first)
                .setBodyHash("canonical-hash")
                .setBodyHashAsSent("another-hash-as-sent")
                .build());

        // then
        CommandDecision reused = nextDecision();
        assertThat(reused.getOutcome()).isEqualTo(Outcome.COMMAND_ID_REUSED);
        assertThat(reused.getBodyHash()).isEqualTo("canonical-hash");
        assertThat(events.isEmpty()).isTrue();
    }

    @Test
    void decidesACommandIdAnewOnceItsRetentionHasPassed() {
        // given
        send(command("c1", "Ticket", "t-1", null, "opened"));
        nextDecision();

        // when
        driver.advanceWallClockTime(RETENTION.plusMinutes(20));
        send(command("c1", "Ticket", "t-1", null, "opened"));

        // then
        CommandDecision again = nextDecision();
        assertThat(again.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(again.getEvents())
                .extracting(DecidedEvent::getAggregateVersion)
                .containsExactly(2L);
    }

    @Test
    void keepsARetriedCommandsDecisionWithinItsRetention() {
        // given
        send(command("c1", "Ticket", "t-1", null, "opened"));
        CommandDecision first = nextDecision();

        // when
        driver.advanceWallClockTime(RETENTION.minusHours(1));
        send(command("c1", "Ticket", "t-1", null, "opened"));

        // then
        assertThat(nextDecision()).isEqualTo(replayOf(first));
        assertThat(events.readValuesToList()).hasSize(1);
    }

    @Test
    void keepsEachAggregatesHeadWithItsVersionStateAndLastEventTime() {
        // when
        send(loan("c1", "case-1", "A_SUBMITTED", "O_CREATED"));

        // then
        AggregateHead head = head("LoanApplication", "case-1");
        assertThat(head.getVersion()).isEqualTo(2L);
        assertThat(head.getLastEventAt()).isEqualTo(START);
        assertThat(head.getState()).containsEntry("submitted", "true").containsEntry("offerCreated", "true");
    }

    @Test
    void keepsAggregatesOfTwoTypesWithTheSameIdApart() {
        // when
        send(loan("c1", "42", "A_SUBMITTED"));
        send(command("c2", "Ticket", "42", 0L, "opened"));

        // then
        assertThat(nextDecision().getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(nextDecision().getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(head("Ticket", "42").getVersion()).isEqualTo(1L);
    }

    @Test
    void skipsARecordThatIsNotACommandAndDecidesTheNextOne() {
        // when
        commands.pipeInput("case-1", "not a command".getBytes(StandardCharsets.UTF_8));
        send(loan("c1", "case-1", "A_SUBMITTED"));

        // then
        assertThat(nextDecision().getCommandId()).isEqualTo("c1");
        assertThat(decisions.isEmpty()).isTrue();
    }

    @Test
    void refusesACommandIdThatAnotherPartitionClaimedForAnotherAggregateAndProducesNothing() {
        // given
        claimElsewhere("c1", "Ticket/t-9", "hash-of-the-ticket-command");

        // when
        send(loan("c1", "case-1", "A_SUBMITTED"));

        // then
        CommandDecision decision = nextDecision();
        assertThat(decision.getOutcome()).isEqualTo(Outcome.COMMAND_ID_REUSED);
        assertThat(decision.getAggregateId()).isEqualTo("case-1");
        assertThat(decision.getDetail()).contains("Ticket/t-9");
        assertThat(events.isEmpty()).isTrue();
        assertThat(claims.isEmpty()).isTrue();
        assertThat(driver.<String, byte[]>getKeyValueStore(DeciderTopology.HEADS_STORE)
                        .get(DeciderTopology.headKey("LoanApplication", "case-1")))
                .isNull();
    }

    @Test
    void refusesACommandIdUsedForAnotherAggregateOfTheSamePartitionEvenWithTheSameHash() {
        // given
        send(loan("c1", "case-1", "A_SUBMITTED"));
        CommandDecision first = nextDecision();
        events.readValuesToList();

        // when
        send(loan("c1", "case-2", "A_SUBMITTED"));
        send(loan("c1", "case-1", "A_SUBMITTED"));

        // then
        CommandDecision reused = nextDecision();
        assertThat(reused.getOutcome()).isEqualTo(Outcome.COMMAND_ID_REUSED);
        assertThat(reused.getDetail()).contains("LoanApplication/case-1");
        assertThat(nextDecision()).isEqualTo(replayOf(first));
        assertThat(events.isEmpty()).isTrue();
    }

    @Test
    void claimsTheIdOfEveryKeptDecisionOnTheIdsTopicAndNotThatOfARefusedReuse() {
        // when
        send(loan("c1", "case-1", "A_SUBMITTED"));
        send(command("c2", "Ticket", "t-1", 5L, "opened"));
        send(loan("c1", "case-1", "A_PARTLYSUBMITTED"));

        // then
        List<TestRecord<String, byte[]>> claimed = claims.readRecordsToList();
        assertThat(claimed)
                .extracting(TestRecord::key, record -> CommandIdClaim.decode(record.value()))
                .containsExactly(
                        tuple("c1", new CommandIdClaim("LoanApplication/case-1", "hash-of-c1-A_SUBMITTED-null")),
                        tuple("c2", new CommandIdClaim("Ticket/t-1", "hash-of-c2-opened-5")));
        assertThat(claimed.get(0).timestamp()).isEqualTo(START.toEpochMilli());
    }

    @Test
    void freesASweptCommandIdForEveryAggregate() {
        // given
        send(command("c1", "Ticket", "t-1", null, "opened"));
        nextDecision();
        claims.readRecord();

        // when
        driver.advanceWallClockTime(RETENTION.plusMinutes(20));

        // then
        TestRecord<String, byte[]> tombstone = claims.readRecord();
        assertThat(tombstone.key()).isEqualTo("c1");
        assertThat(tombstone.value()).isNull();
        assertThat(claimKnownEverywhere("c1")).isNull();
        send(command("c1", "Ticket", "t-2", null, "opened"));
        CommandDecision again = nextDecision();
        assertThat(again.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(again.getAggregateId()).isEqualTo("t-2");
    }

    @Test
    void leavesAnotherPartitionsClaimInPlaceWhenItSweepsItsOwnDecisionOfTheSameId() {
        // given
        send(command("c1", "Ticket", "t-1", null, "opened"));
        nextDecision();
        claims.readRecord();
        claimElsewhere("c1", "Ticket/t-7", "hash-of-the-other-command");

        // when
        driver.advanceWallClockTime(RETENTION.plusMinutes(20));

        // then
        assertThat(claims.isEmpty()).isTrue();
        send(command("c1", "Ticket", "t-1", null, "opened"));
        assertThat(nextDecision().getOutcome()).isEqualTo(Outcome.COMMAND_ID_REUSED);
    }

    /**
     * Decides {@code command} as the versions before the canonical hash appended it: in the first released schema,
     * with {@code hashAsSent} as its only hash; its events are read.
     */
    private CommandDecision decideAsBeforeTheCanonicalHash(CommandRecord command, String hashAsSent) {
        CommandRecord asBefore =
                CommandRecord.newBuilder(command).setBodyHash(hashAsSent).build();
        commands.pipeInput(command.getAggregateId(), FirstReleasedCommands.encode(asBefore));
        CommandDecision decided = nextDecision();
        events.readValuesToList();
        return decided;
    }

    private void claimElsewhere(String commandId, String aggregateKey, String bodyHash) {
        otherPartitionsClaims.pipeInput(commandId, new CommandIdClaim(aggregateKey, bodyHash).encode());
    }

    /**
     * The global store's claim on {@code commandId}; the driver feeds the store from what the decider writes to
     * {@code commands.ids}, as the global thread does.
     */
    private CommandIdClaim claimKnownEverywhere(String commandId) {
        byte[] value = driver.<String, byte[]>getKeyValueStore(DeciderTopology.IDS_STORE)
                .get(commandId);
        return value == null ? null : CommandIdClaim.decode(value);
    }

    private void send(CommandRecord command) {
        commands.pipeInput(command.getAggregateId(), Commands.bytes(command));
    }

    private CommandDecision nextDecision() {
        return DeciderRecords.decision(decisions.readValue());
    }

    private AggregateHead head(String aggregateType, String aggregateId) {
        KeyValueStore<String, byte[]> heads = driver.getKeyValueStore(DeciderTopology.HEADS_STORE);
        return DeciderRecords.head(heads.get(DeciderTopology.headKey(aggregateType, aggregateId)));
    }

    private static String header(TestRecord<String, byte[]> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The decision {@code first} as the decider answers it again for the same command: marked as replayed. */
    private static CommandDecision replayOf(CommandDecision first) {
        assertThat(first.getReplayed()).isFalse();
        return CommandDecision.newBuilder(first).setReplayed(true).build();
    }
}
