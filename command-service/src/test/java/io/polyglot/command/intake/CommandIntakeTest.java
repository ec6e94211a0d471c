package io.polyglot.command.intake;

import static io.polyglot.command.intake.ValidCommands.bytes;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CommandIntakeTest {

    private static final Instant NOW = Instant.parse("2024-05-01T10:15:30.123456789Z");
    private static final UUID EVENT_ID = UUID.fromString("6f1c2a9e-1b7d-4c55-9d0e-6b2d3f3c4a11");

    private final EventCodec codec = EventCodec.standard();
    private final CommandIntake intake = new CommandIntake(
            CommandTypes.standard(), codec, Clock.fixed(NOW, ZoneOffset.UTC), () -> EVENT_ID, 1_048_576);

    @Test
    void turnsARecordActivityCommandIntoOneActivityRecordedEvent() {
        // given
        ObjectNode command = recordActivity("cmd-1", "173688");

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(outcome).isInstanceOf(Intake.Accepted.class);
        Intake.Accepted accepted = (Intake.Accepted) outcome;
        assertThat(accepted.id()).isEqualTo("cmd-1");
        assertThat(accepted.commandType()).isEqualTo("RecordActivity");
        assertThat(accepted.events()).hasSize(1);
        EventEnvelope event = accepted.events().get(0);
        assertThat(event.getEventId()).isEqualTo(EVENT_ID.toString());
        assertThat(event.getAggregateType()).isEqualTo("LoanApplication");
        assertThat(event.getAggregateId()).isEqualTo("173688");
        assertThat(event.getAggregateVersion()).isZero();
        assertThat(event.getType()).isEqualTo("ActivityRecorded");
        assertThat(event.getOccurredAt()).isEqualTo(Instant.parse("2011-09-30T22:38:44.546Z"));
        assertThat(event.getCommandId()).isEqualTo("cmd-1");
    }

    @Test
    void encodesThePayloadAsTheActivityThatWasSent() {
        // given
        ObjectNode command = recordActivity();

        // when
        Intake.Accepted accepted = (Intake.Accepted) intake.read(bytes(command));

        // then
        ActivityRecorded payload =
                (ActivityRecorded) codec.decodePayload(accepted.events().get(0).getPayload());
        assertThat(payload.getActivity()).isEqualTo("A_SUBMITTED");
        assertThat(payload.getLifecycle()).isEqualTo("COMPLETE");
        assertThat(payload.getResource()).isEqualTo("User_1");
        assertThat(payload.getOccurredAt()).isEqualTo(Instant.parse("2011-09-30T22:38:44.546Z"));
        assertThat(payload.getAttributes())
                .containsExactlyInAnyOrderEntriesOf(Map.of("amount", "20000", "concept:name", "A_SUBMITTED"));
    }

    @Test
    void leavesOptionalPayloadFieldsOutWhenTheyAreNotSent() {
        // given
        ObjectNode command = recordActivity();
        ObjectNode payload = (ObjectNode) command.get("payload");
        payload.remove("lifecycle");
        payload.putNull("resource");
        payload.remove("attributes");

        // when
        Intake.Accepted accepted = (Intake.Accepted) intake.read(bytes(command));

        // then
        ActivityRecorded recorded =
                (ActivityRecorded) codec.decodePayload(accepted.events().get(0).getPayload());
        assertThat(recorded.getLifecycle()).isNull();
        assertThat(recorded.getResource()).isNull();
        assertThat(recorded.getAttributes()).isEmpty();
    }

    @Test
    void recordsTheClockTimeToTheMicrosecondAsRecordedAt() {
        // given
        ObjectNode command = recordActivity();

        // when
        Intake.Accepted accepted = (Intake.Accepted) intake.read(bytes(command));

        // then
        assertThat(accepted.events().get(0).getRecordedAt()).isEqualTo(Instant.parse("2024-05-01T10:15:30.123456Z"));
    }

    @Test
    void defaultsCorrelationAndCausationToTheCommandId() {
        // given
        ObjectNode command = recordActivity("cmd-42", "a-1");

        // when
        EventEnvelope event =
                ((Intake.Accepted) intake.read(bytes(command))).events().get(0);

        // then
        assertThat(event.getCorrelationId()).isEqualTo("cmd-42");
        assertThat(event.getCausationId()).isEqualTo("cmd-42");
    }

    @Test
    void keepsTheCorrelationAndCausationIdsTheClientSent() {
        // given
        ObjectNode command = recordActivity("cmd-42", "a-1");
        command.put("correlationId", "import-2024-05-01");
        command.put("causationId", "cmd-41");

        // when
        EventEnvelope event =
                ((Intake.Accepted) intake.read(bytes(command))).events().get(0);

        // then
        assertThat(event.getCorrelationId()).isEqualTo("import-2024-05-01");
        assertThat(event.getCausationId()).isEqualTo("cmd-41");
    }

    @Test
    void acceptsUnicodeIdsWithSpaces() {
        // given
        ObjectNode command = recordActivity("Befehl ü 1", "Ticket 4711 – Störung");

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(outcome).isInstanceOf(Intake.Accepted.class);
        assertThat(((Intake.Accepted) outcome).events().get(0).getAggregateId()).isEqualTo("Ticket 4711 – Störung");
    }

    @Test
    void refusesMalformedJson() {
        // given
        byte[] body = "{\"commandId\": \"c1\", ".getBytes(StandardCharsets.UTF_8);

        // when
        Intake outcome = intake.read(body);

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.MALFORMED_JSON);
        assertThat(outcome.commandType()).isEqualTo(CommandIntake.UNKNOWN_TYPE);
    }

    @Test
    void refusesContentAfterTheCommandAsMalformedJson() {
        // given
        byte[] body =
                (new String(bytes(recordActivity()), StandardCharsets.UTF_8) + " {}").getBytes(StandardCharsets.UTF_8);

        // when
        Intake outcome = intake.read(body);

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.MALFORMED_JSON);
    }

    @Test
    void refusesAFieldGivenTwiceAsMalformedJson() {
        // given
        byte[] body = "{\"commandId\":\"a\",\"commandId\":\"b\"}".getBytes(StandardCharsets.UTF_8);

        // when
        Intake outcome = intake.read(body);

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.MALFORMED_JSON);
    }

    @Test
    void refusesAnOverlongEncodingOfADotAsMalformedJsonRatherThanReadingItAsADot() {
        // given: "C0 AE" spells '.' in an overlong form that is not UTF-8; the parser alone took it for a dot
        byte[] valid = bytes(recordActivity("cmd-overlong", "agg-X"));
        byte[] body = replaceFirst(valid, (byte) 'X', new byte[] {(byte) 0xC0, (byte) 0xAE});

        // when
        Intake outcome = intake.read(body);

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.MALFORMED_JSON);
        assertThat(problemOf(outcome).detail()).contains("not UTF-8");
    }

    @Test
    void refusesAnEncodedSurrogateAsMalformedJson() {
        // given: "ED A0 80" is the UTF-8 shape of a lone surrogate, which UTF-8 forbids
        byte[] body = replaceFirst(bytes(recordActivity("cmd-surrogate", "agg-X")), (byte) 'X', new byte[] {
            (byte) 0xED, (byte) 0xA0, (byte) 0x80
        });

        // when
        Intake outcome = intake.read(body);

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.MALFORMED_JSON);
    }

    @Test
    void refusesAnIdWithAnEscapedLoneSurrogateNamingItsPointer() {
        // given: valid JSON whose id holds half a surrogate pair, which UTF-8 cannot carry to Kafka
        String text = new String(bytes(recordActivity("cmd-lone", "agg-X")), StandardCharsets.UTF_8)
                .replace("agg-X", "agg-\\ud800");

        // when
        Intake outcome = intake.read(text.getBytes(StandardCharsets.UTF_8));

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.INVALID_COMMAND);
        assertThat(problemOf(outcome).errors()).extracting(FieldError::pointer).containsExactly("/aggregateId");
    }

    @Test
    void refusesLoneSurrogatesDeepInThePayloadNamingEveryPointer() {
        // given: an attribute and a text in an array, two levels down, each with half a surrogate pair
        ObjectNode command = recordActivity("cmd-lone-deep", "agg-1");
        ((ObjectNode) command.get("payload").get("attributes")).put("note", "name-X");
        ((ObjectNode) command.get("payload")).putArray("list").add("ok").add("text-X");
        String text = new String(bytes(command), StandardCharsets.UTF_8)
                .replace("name-X", "name-\\udc00")
                .replace("text-X", "text-\\ud800");

        // when
        Intake outcome = intake.read(text.getBytes(StandardCharsets.UTF_8));

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.INVALID_COMMAND);
        assertThat(problemOf(outcome).errors())
                .extracting(FieldError::pointer)
                .containsExactly("/payload/attributes/note", "/payload/list/1");
    }

    @Test
    void refusesAnAttributeNameWithAnEscapedLoneSurrogateAsMalformedJson() {
        // given: a payload attribute whose name holds half a surrogate pair
        ObjectNode command = recordActivity("cmd-lone-name", "agg-1");
        ((ObjectNode) command.get("payload").get("attributes")).put("key-X", "value");
        String text = new String(bytes(command), StandardCharsets.UTF_8).replace("key-X", "key-\\udc00");

        // when
        Intake outcome = intake.read(text.getBytes(StandardCharsets.UTF_8));

        // then: Jackson's byte parser refuses such a name itself, before any field is looked at
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.MALFORMED_JSON);
    }

    @Test
    void acceptsAnIdWithACharacterOutsideTheBasicPlane() {
        // given: a surrogate pair that spells one character
        String text = new String(bytes(recordActivity("cmd-pair", "agg-X")), StandardCharsets.UTF_8)
                .replace("agg-X", "agg-\\ud83d\\ude00");

        // when
        Intake outcome = intake.read(text.getBytes(StandardCharsets.UTF_8));

        // then
        assertThat(outcome).isInstanceOf(Intake.Accepted.class);
    }

    @Test
    void refusesNestingDeeperThanTheBoundAsMalformedJson() {
        // given: an attribute nested one level deeper than the bound allows
        String deep = "[".repeat(CommandIntake.MAX_NESTING_DEPTH) + "]".repeat(CommandIntake.MAX_NESTING_DEPTH);
        byte[] body = new String(bytes(recordActivity()), StandardCharsets.UTF_8)
                .replace("\"20000\"", deep)
                .getBytes(StandardCharsets.UTF_8);

        // when
        Intake outcome = intake.read(body);

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.MALFORMED_JSON);
        assertThat(problemOf(outcome).detail()).contains("nesting depth");
    }

    @Test
    void refusesANumberLongerThanTheBoundAsMalformedJson() {
        // given
        String number = "9".repeat(CommandIntake.MAX_NUMBER_LENGTH + 1);
        byte[] body = ("{\"expectedVersion\":" + number + "}").getBytes(StandardCharsets.UTF_8);

        // when
        Intake outcome = intake.read(body);

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.MALFORMED_JSON);
    }

    @Test
    void readsANumberAtTheBoundAsANumberTooLargeForAVersion() {
        // given
        ObjectNode command = recordActivity();
        String text = "{\"expectedVersion\":" + "9".repeat(CommandIntake.MAX_NUMBER_LENGTH) + ","
                + command.toString().substring(1);

        // when
        Intake outcome = intake.read(text.getBytes(StandardCharsets.UTF_8));

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.INVALID_COMMAND);
        assertThat(problemOf(outcome).errors()).extracting(FieldError::pointer).containsExactly("/expectedVersion");
    }

    private static byte[] replaceFirst(byte[] bytes, byte marker, byte[] replacement) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == marker) {
                byte[] out = new byte[bytes.length - 1 + replacement.length];
                System.arraycopy(bytes, 0, out, 0, i);
                System.arraycopy(replacement, 0, out, i, replacement.length);
                System.arraycopy(bytes, i + 1, out, i + replacement.length, bytes.length - i - 1);
                return out;
            }
        }
        throw new IllegalArgumentException("no marker in the bytes");
    }

    @Test
    void refusesAnEmptyBodyAsMalformedJson() {
        // when
        Intake outcome = intake.read(new byte[0]);

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.MALFORMED_JSON);
    }

    @Test
    void refusesABodyThatIsNotAnObject() {
        // when
        Intake outcome = intake.read("[1, 2]".getBytes(StandardCharsets.UTF_8));

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.INVALID_COMMAND);
        assertThat(problemOf(outcome).errors()).containsExactly(new FieldError("", "must be a JSON object"));
    }

    @Test
    void refusesAnUnknownFieldNamingItsPointer() {
        // given
        ObjectNode command = recordActivity();
        command.put("priority", "high");

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.INVALID_COMMAND);
        assertThat(problemOf(outcome).errors()).containsExactly(new FieldError("/priority", "unknown field"));
        assertThat(outcome.commandId()).contains("cmd-1");
    }

    @Test
    void refusesAnUnknownPayloadFieldNamingItsEscapedPointer() {
        // given
        ObjectNode command = recordActivity();
        ((ObjectNode) command.get("payload")).put("org/unit~x", "A");

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(problemOf(outcome).errors())
                .containsExactly(new FieldError("/payload/org~1unit~0x", "unknown field"));
    }

    @Test
    void readsTheExpectedVersionForTheDecider() {
        // given
        ObjectNode command = recordActivity();
        command.put("expectedVersion", 3);

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(outcome)
                .isInstanceOfSatisfying(
                        Intake.Accepted.class,
                        accepted -> assertThat(accepted.expectedVersion()).hasValue(3L));
    }

    @Test
    void refusesANegativeExpectedVersion() {
        // given
        ObjectNode command = recordActivity();
        command.put("expectedVersion", -1);

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.INVALID_COMMAND);
        assertThat(problemOf(outcome).errors())
                .containsExactly(
                        new FieldError("/expectedVersion", "is out of range: must be from 0 to 9223372036854775807"));
    }

    @Test
    void hashesTheSameCommandTheSameWhateverItsWhitespaceAndAnotherBodyDifferently() {
        // given
        ObjectNode command = recordActivity();
        byte[] compact = bytes(command);
        byte[] spaced = command.toPrettyString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ObjectNode other = recordActivity();
        ((ObjectNode) other.get("payload")).put("activity", "A_DECLINED");

        // when
        String first = ((Intake.Accepted) intake.read(compact)).bodyHash();
        String second = ((Intake.Accepted) intake.read(spaced)).bodyHash();
        String third = ((Intake.Accepted) intake.read(bytes(other))).bodyHash();

        // then
        assertThat(first).isEqualTo(second).hasSize(64);
        assertThat(third).isNotEqualTo(first);
    }

    @Test
    void hashesAKnownBodyToTheSha256OfItsCanonicalFormAndOfItsCompactJsonAsSent() {
        // given: both forms of this body, hashed by sha256sum; the canonical one is
        // {"aggregateId":"case-ü-1","aggregateType":"LoanApplication","commandId":"c-hash-1","expectedVersion":3,
        // "payload":{"activity":"A_SUBMITTED","attributes":{"AMOUNT_REQ":"20000"},"lifecycle":"COMPLETE",
        // "occurredAt":"2011-09-30T22:38:44.546Z"},"type":"RecordActivity"}
        String body = """
                {
                  "commandId": "c-hash-1",
                  "aggregateType": "LoanApplication",
                  "aggregateId": "case-ü-1",
                  "type": "RecordActivity",
                  "expectedVersion": 3,
                  "payload": {
                    "activity": "A_SUBMITTED",
                    "lifecycle": "COMPLETE",
                    "occurredAt": "2011-10-01T00:38:44.546+02:00",
                    "attributes": { "AMOUNT_REQ": "20000" }
                  }
                }
                """;

        // when
        Intake read = intake.read(body.getBytes(StandardCharsets.UTF_8));

        // then
        assertThat(read)
                .isInstanceOfSatisfying(
                        Intake.Accepted.class,
                        accepted -> assertThat(List.of(accepted.bodyHash(), accepted.bodyHashAsSent()))
                                .containsExactly(
                                        "4c7579ab33f9d7b11d0323d919aea421110f45dd8b59bdb8ba000c75afa701e2",
                                        "5fe23d48794a9d3e200c628c036bd48c8c7dbbf39e6c111f68a9d21dcaaa0b8c"));
    }

    @Test
    void refusesAnUnknownCommandType() {
        // given
        ObjectNode command = recordActivity();
        command.put("type", "CloseCase");

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.UNKNOWN_COMMAND_TYPE);
        assertThat(problemOf(outcome).errors()).extracting(FieldError::pointer).containsExactly("/type");
        assertThat(outcome.commandType()).isEqualTo(CommandIntake.UNKNOWN_TYPE);
    }

    @Test
    void reportsEveryFieldProblemAtOnce() {
        // given
        ObjectNode command = recordActivity();
        command.remove("commandId");
        command.put("aggregateId", " ");
        ((ObjectNode) command.get("payload")).put("activity", 7);

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(problemOf(outcome).errors())
                .extracting(FieldError::pointer)
                .containsExactlyInAnyOrder("/commandId", "/aggregateId", "/payload/activity");
        assertThat(outcome.commandId()).isEmpty();
    }

    @Test
    void refusesAMissingPayload() {
        // given
        ObjectNode command = recordActivity();
        command.remove("payload");

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(problemOf(outcome).errors()).containsExactly(new FieldError("/payload", "is required"));
    }

    @Test
    void refusesAPayloadThatIsNotAnObject() {
        // given
        ObjectNode command = recordActivity();
        command.put("payload", "A_SUBMITTED");

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(problemOf(outcome).errors()).containsExactly(new FieldError("/payload", "must be a JSON object"));
    }

    @Test
    void refusesAnIdThatIsNotAString() {
        // given
        ObjectNode command = recordActivity();
        command.put("aggregateId", 173688);

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(problemOf(outcome).errors()).containsExactly(new FieldError("/aggregateId", "must be a string"));
    }

    @Test
    void refusesAnOptionalIdThatBreaksTheIdRules() {
        // given
        ObjectNode command = recordActivity();
        command.put("correlationId", "..");

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(problemOf(outcome).errors()).extracting(FieldError::pointer).containsExactly("/correlationId");
    }

    @Test
    void refusesAPayloadOverTheLimitInSingleObjectEncoding() {
        // given
        CommandIntake small = new CommandIntake(
                CommandTypes.standard(), codec, Clock.fixed(NOW, ZoneOffset.UTC), UUID::randomUUID, 1_024);
        ObjectNode command = recordActivity();
        ((ObjectNode) command.get("payload")).put("activity", "A".repeat(1_024));

        // when
        Intake outcome = small.read(bytes(command));

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.PAYLOAD_TOO_LARGE);
        assertThat(problemOf(outcome).status()).isEqualTo(413);
    }

    @Test
    void acceptsAPayloadExactlyAtTheLimit() {
        // given
        ObjectNode command = recordActivity();
        Intake.Accepted measured = (Intake.Accepted) intake.read(bytes(command));
        int size = measured.events().get(0).getPayload().remaining();
        CommandIntake exact = new CommandIntake(
                CommandTypes.standard(), codec, Clock.fixed(NOW, ZoneOffset.UTC), UUID::randomUUID, size);
        CommandIntake oneShort = new CommandIntake(
                CommandTypes.standard(), codec, Clock.fixed(NOW, ZoneOffset.UTC), UUID::randomUUID, size - 1);

        // when
        Intake atLimit = exact.read(bytes(command));
        Intake overLimit = oneShort.read(bytes(command));

        // then
        assertThat(atLimit).isInstanceOf(Intake.Accepted.class);
        assertThat(problemOf(overLimit).type()).isEqualTo(ProblemType.PAYLOAD_TOO_LARGE);
    }

    static Problem problemOf(Intake outcome) {
        assertThat(outcome).isInstanceOf(Intake.Rejected.class);
        return ((Intake.Rejected) outcome).problem();
    }
}
