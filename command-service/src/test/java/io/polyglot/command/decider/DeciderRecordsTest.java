package io.polyglot.command.decider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.command.avro.AggregateHead;
import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.avro.CommandRecord;
import io.polyglot.command.avro.DecidedEvent;
import io.polyglot.command.avro.Outcome;
import io.polyglot.schemas.UndecodableRecordException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DeciderRecordsTest {

    private static final Instant DECIDED_AT = Instant.parse("2026-12-04T20:34:01.123456Z");

    static Stream<Arguments> everyRecordType() throws IOException {
        CommandRecord command = Commands.command("c-1", "LoanApplication", "case-1", 3L, "A_SUBMITTED", "A_ACCEPTED");
        CommandDecision accepted = accepted();
        CommandDecision refused = refused();
        AggregateHead head = head();
        Function<byte[], Object> readCommand = DeciderRecords::command;
        Function<byte[], Object> readDecision = DeciderRecords::decision;
        Function<byte[], Object> readHead = DeciderRecords::head;
        return Stream.of(
                Arguments.of("command", command, array(command.toByteBuffer()), readCommand),
                Arguments.of("accepted decision", accepted, array(accepted.toByteBuffer()), readDecision),
                Arguments.of("refused decision", refused, array(refused.toByteBuffer()), readDecision),
                Arguments.of("aggregate head", head, array(head.toByteBuffer()), readHead));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyRecordType")
    void encodesEachRecordTypeToTheBytesOfItsGeneratedEncoderAndReadsThemBack(
            String kind, SpecificRecordBase record, byte[] generated, Function<byte[], Object> read) {
        // when
        byte[] bytes = DeciderRecords.encode(record);

        // then
        assertThat(bytes).isEqualTo(generated);
        assertThat(read.apply(bytes)).isEqualTo(record);
    }

    @Test
    void readsACommandWrittenWithTheFirstReleasedVersionWithoutAHashAsSent() {
        // given
        CommandRecord command = Commands.command("c-1", "LoanApplication", "case-1", 3L, "A_SUBMITTED");
        byte[] written = FirstReleasedCommands.encode(command);

        // when
        CommandRecord read = DeciderRecords.command(written);

        // then
        assertThat(read)
                .isEqualTo(CommandRecord.newBuilder(command)
                        .setBodyHashAsSent(null)
                        .build());
        assertThat(command.getBodyHashAsSent()).isNotNull();
    }

    @Test
    void keepsTheSchemaOfTheCommandsWrittenBeforeTheHashAsSentAsTheFirstReleasedVersion() {
        // given: the fingerprint that commands written before bodyHashAsSent carry, read from that build's class
        long before = 0xbaaeb660bc23acbeL;

        // when
        long first = SchemaNormalization.parsingFingerprint64(FirstReleasedCommands.SCHEMA);

        // then
        assertThat(Long.toHexString(first)).isEqualTo(Long.toHexString(before));
    }

    @ParameterizedTest
    @ValueSource(classes = {CommandRecord.class, CommandDecision.class, AggregateHead.class})
    void recordsEachRecordOfThisBuildAsReleasedAndReadsEveryReleasedVersionOfIt(Class<?> type) throws Exception {
        // given
        Schema current = (Schema) type.getMethod("getClassSchema").invoke(null);

        // when
        List<Schema> released = DeciderRecords.released(current.getFullName());

        // then
        assertThat(released)
                .as("released versions of %s", current.getFullName())
                .isNotEmpty();
        assertThat(SchemaNormalization.parsingFingerprint64(released.get(released.size() - 1)))
                .as("this build's %s is the last released version; copy it in as the next number", type)
                .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
        for (Schema version : released) {
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, version)
                            .getType())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(version, current)
                            .getType())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }

    @Test
    void encodesTheNextRecordWholeAfterOneThatFailedHalfWay() throws IOException {
        // given: a head whose fields are unset cannot be written
        AggregateHead broken = new AggregateHead();
        broken.setAggregateType("LoanApplication");
        assertThatThrownBy(() -> DeciderRecords.encode(broken)).isInstanceOf(RuntimeException.class);

        // when
        byte[] bytes = DeciderRecords.encode(head());

        // then
        assertThat(bytes).isEqualTo(array(head().toByteBuffer()));
    }

    @Test
    void readsWhatTheGeneratedEncoderWrote() throws IOException {
        // given
        CommandDecision decision = accepted();

        // when
        CommandDecision read = DeciderRecords.decision(array(decision.toByteBuffer()));

        // then
        assertThat(read).isEqualTo(decision);
    }

    @Test
    void encodesTheSameBytesFromManyThreadsAtOnce() throws Exception {
        // given
        List<CommandRecord> commands = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            commands.add(Commands.loan("c-" + i, "case-" + i, "A_SUBMITTED", "A_PARTLYSUBMITTED"));
        }
        List<byte[]> expected = new ArrayList<>();
        for (CommandRecord command : commands) {
            expected.add(array(command.toByteBuffer()));
        }
        Callable<List<byte[]>> encodeAll =
                () -> commands.stream().map(DeciderRecords::encode).toList();

        // when
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<List<byte[]>>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                results.add(threads.submit(encodeAll));
            }
            // then
            for (Future<List<byte[]>> result : results) {
                assertThat(result.get()).containsExactlyElementsOf(expected);
            }
        } finally {
            threads.shutdown();
        }
    }

    @Test
    void refusesARecordWithTheFingerprintOfAnotherRecordType() throws IOException {
        // given
        byte[] decision = array(accepted().toByteBuffer());

        // when, then
        assertThatThrownBy(() -> DeciderRecords.head(decision)).isInstanceOf(UndecodableRecordException.class);
        assertThatThrownBy(() -> DeciderRecords.command(decision)).isInstanceOf(UndecodableRecordException.class);
    }

    @Test
    void refusesAFingerprintWithOneByteChanged() throws IOException {
        // given
        byte[] head = array(head().toByteBuffer());
        head[5] ^= 0x01;

        // when, then
        assertThatThrownBy(() -> DeciderRecords.head(head)).isInstanceOf(UndecodableRecordException.class);
    }

    @Test
    void refusesBytesWithoutTheMarkerOrTooShortForAHeader() {
        for (byte[] bytes : List.of(new byte[0], new byte[] {(byte) 0xC3, 0x01, 0x02}, "not avro at all".getBytes())) {
            assertThatThrownBy(() -> DeciderRecords.command(bytes)).isInstanceOf(UndecodableRecordException.class);
            assertThatThrownBy(() -> DeciderRecords.decision(bytes)).isInstanceOf(UndecodableRecordException.class);
            assertThatThrownBy(() -> DeciderRecords.head(bytes)).isInstanceOf(UndecodableRecordException.class);
        }
    }

    @Test
    void refusesEveryTruncationOfARecord() throws IOException {
        // given
        byte[] whole = array(accepted().toByteBuffer());

        // when, then
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertThatThrownBy(() -> DeciderRecords.decision(cut))
                    .as("the first %d of %d bytes", length, whole.length)
                    .isInstanceOf(UndecodableRecordException.class);
        }
    }

    @Test
    void readsOrRefusesEveryOneByteChangeOfABodyAsTheGeneratedDecoderDoes() throws IOException {
        // given
        byte[] head = array(head().toByteBuffer());
        byte[] decision = array(refused().toByteBuffer());
        Random random = new Random(20261205L);

        for (int position = 10; position < Math.max(head.length, decision.length); position++) {
            for (int change = 0; change < 8; change++) {
                byte value = (byte) random.nextInt(256);
                byte[] changedHead = changed(head, position, value);
                byte[] changedDecision = changed(decision, position, value);

                // when
                Optional<Object> generatedHead =
                        decoded(changedHead, b -> AggregateHead.fromByteBuffer(ByteBuffer.wrap(b)));
                Optional<Object> generatedDecision =
                        decoded(changedDecision, b -> CommandDecision.fromByteBuffer(ByteBuffer.wrap(b)));

                // then
                assertThat(decoded(changedHead, DeciderRecords::head))
                        .as("head with byte %d set to %d", position, value)
                        .isEqualTo(generatedHead);
                assertThat(decoded(changedDecision, DeciderRecords::decision))
                        .as("decision with byte %d set to %d", position, value)
                        .isEqualTo(generatedDecision);
            }
        }
    }

    private static byte[] changed(byte[] bytes, int position, byte value) {
        byte[] copy = bytes.clone();
        if (position < copy.length) {
            copy[position] = value;
        }
        return copy;
    }

    /** What {@code decode} reads from {@code bytes}; empty when it refuses them in any way. */
    private static Optional<Object> decoded(byte[] bytes, ThrowingDecode decode) {
        try {
            return Optional.of(decode.apply(bytes));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private interface ThrowingDecode {
        Object apply(byte[] bytes) throws Exception;
    }

    private static CommandDecision accepted() {
        return CommandDecision.newBuilder()
                .setCommandId("c-1")
                .setAggregateType("LoanApplication")
                .setAggregateId("case-1")
                .setBodyHash("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                .setOutcome(Outcome.ACCEPTED)
                .setEvents(List.of(
                        DecidedEvent.newBuilder()
                                .setEventId("7d1a3c52-3a0e-4c7b-9a55-0b0f1f2a9b11")
                                .setAggregateVersion(1L)
                                .build(),
                        DecidedEvent.newBuilder()
                                .setEventId("0c6b54c4-5f8e-4e0b-8f5e-1f0f7c4f2d22")
                                .setAggregateVersion(2L)
                                .build()))
                .setDecidedAt(DECIDED_AT)
                .build();
    }

    private static CommandDecision refused() {
        return CommandDecision.newBuilder()
                .setCommandId("c-2")
                .setAggregateType("LoanApplication")
                .setAggregateId("case-ü-2")
                .setBodyHash("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                .setOutcome(Outcome.VERSION_CONFLICT)
                .setDetail("expected version 4, the aggregate is at 7")
                .setExpectedVersion(4L)
                .setCurrentVersion(7L)
                .setDecidedAt(DECIDED_AT)
                .setReplayed(true)
                .build();
    }

    private static AggregateHead head() {
        return AggregateHead.newBuilder()
                .setAggregateType("LoanApplication")
                .setAggregateId("case-1")
                .setVersion(17L)
                .setLastEventAt(DECIDED_AT)
                .setState(Map.of("submitted", "true", "offers", "2"))
                .build();
    }

    private static byte[] array(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
