package io.polyglot.command.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.schemas.EventCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The body hashes the intake gives a command: which bodies are the same command, and the hash as sent. */
class BodyHashTest {

    /** The command every case below is compared with, in the order and form a client might first send it. */
    private static final String FIRST = "{\"commandId\":\"cmd-1\",\"aggregateType\":\"LoanApplication\","
            + "\"aggregateId\":\"173688\",\"type\":\"RecordActivity\",\"payload\":{\"activity\":\"A_SUBMITTED\","
            + "\"lifecycle\":\"COMPLETE\",\"occurredAt\":\"2011-10-01T00:38:44.546+02:00\","
            + "\"attributes\":{\"amount\":\"20000\",\"concept:name\":\"A_SUBMITTED\"}}}";

    private final CommandIntake intake = new CommandIntake(
            CommandTypes.standard(),
            EventCodec.standard(),
            Clock.fixed(Instant.parse("2024-05-01T10:15:30Z"), ZoneOffset.UTC),
            UUID::randomUUID,
            1_048_576);

    @ParameterizedTest
    @ValueSource(
            strings = {
                // keys in another order at the top level, in the payload and in its attributes
                "{\"payload\":{\"attributes\":{\"concept:name\":\"A_SUBMITTED\",\"amount\":\"20000\"},"
                        + "\"occurredAt\":\"2011-10-01T00:38:44.546+02:00\",\"lifecycle\":\"COMPLETE\","
                        + "\"activity\":\"A_SUBMITTED\"},\"type\":\"RecordActivity\",\"aggregateId\":\"173688\","
                        + "\"aggregateType\":\"LoanApplication\",\"commandId\":\"cmd-1\"}",
                // null for every optional field left out
                "{\"commandId\":\"cmd-1\",\"aggregateType\":\"LoanApplication\",\"aggregateId\":\"173688\","
                        + "\"type\":\"RecordActivity\",\"expectedVersion\":null,\"correlationId\":null,"
                        + "\"causationId\":null,\"payload\":{\"activity\":\"A_SUBMITTED\",\"lifecycle\":\"COMPLETE\","
                        + "\"resource\":null,\"occurredAt\":\"2011-10-01T00:38:44.546+02:00\","
                        + "\"attributes\":{\"amount\":\"20000\",\"concept:name\":\"A_SUBMITTED\"}}}",
                // the same instant in UTC, with trailing zeros in the fraction, at another offset, without seconds'
                // digits
                "{\"commandId\":\"cmd-1\",\"aggregateType\":\"LoanApplication\",\"aggregateId\":\"173688\","
                        + "\"type\":\"RecordActivity\",\"payload\":{\"activity\":\"A_SUBMITTED\",\"lifecycle\":"
                        + "\"COMPLETE\",\"occurredAt\":\"2011-09-30T22:38:44.546Z\",\"attributes\":{\"amount\":"
                        + "\"20000\",\"concept:name\":\"A_SUBMITTED\"}}}",
                "{\"commandId\":\"cmd-1\",\"aggregateType\":\"LoanApplication\",\"aggregateId\":\"173688\","
                        + "\"type\":\"RecordActivity\",\"payload\":{\"activity\":\"A_SUBMITTED\",\"lifecycle\":"
                        + "\"COMPLETE\",\"occurredAt\":\"2011-09-30T17:38:44.546000-05:00\",\"attributes\":"
                        + "{\"amount\":\"20000\",\"concept:name\":\"A_SUBMITTED\"}}}",
                // whitespace and escapes
                "{ \"commandId\" : \"cmd-\\u0031\",\n\"aggregateType\":\"LoanApplication\",\"aggregateId\":\"173688\","
                        + "\"type\":\"RecordActivity\",\"payload\":{\"activity\":\"A_SUBMITTED\",\"lifecycle\":"
                        + "\"COMPLETE\",\"occurredAt\":\"2011-10-01T00:38:44.546+02:00\",\"attributes\":{\"amount\":"
                        + "\"20000\",\"concept:name\":\"A_SUBMITTED\"}}}\n"
            })
    void givesABodyWrittenDifferentlyTheHashOfTheFirst(String retry) {
        // when
        Intake.Accepted first = accepted(FIRST);
        Intake.Accepted again = accepted(retry);

        // then
        assertThat(again.bodyHash()).isEqualTo(first.bodyHash());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"activity\":\"A_SUBMITTED\"|\"activity\":\"A_submitted\"",
                "\"lifecycle\":\"COMPLETE\",|",
                "\"lifecycle\":\"COMPLETE\"|\"lifecycle\":\"\"",
                "\"occurredAt\":\"2011-10-01T00:38:44.546+02:00\"|\"occurredAt\":\"2011-10-01T00:38:44.546001+02:00\"",
                "\"occurredAt\":\"2011-10-01T00:38:44.546+02:00\"|\"occurredAt\":\"2011-10-01T00:38:44.546+01:00\"",
                "\"amount\":\"20000\"|\"amount\":\"20000.0\"",
                ",\"attributes\":{\"amount\":\"20000\",\"concept:name\":\"A_SUBMITTED\"}|,\"attributes\":{}",
                ",\"attributes\":{\"amount\":\"20000\",\"concept:name\":\"A_SUBMITTED\"}|",
                "\"type\":\"RecordActivity\"|\"type\":\"RecordActivity\",\"expectedVersion\":0",
                "\"type\":\"RecordActivity\"|\"type\":\"RecordActivity\",\"correlationId\":\"cmd-1\"",
                "\"aggregateId\":\"173688\"|\"aggregateId\":\"173688 \""
            })
    void givesABodyThatDiffersInAValueAnotherHash(String change) {
        // given
        String[] fromTo = change.split("\\|", -1);
        String other = FIRST.replace(fromTo[0], fromTo[1]);
        assertThat(other).isNotEqualTo(FIRST);

        // when
        Intake.Accepted first = accepted(FIRST);
        Intake.Accepted changed = accepted(other);

        // then
        assertThat(changed.bodyHash()).isNotEqualTo(first.bodyHash());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "7"})
    void givesAnExpectedVersionTheHashOfItsValue(String version) {
        // given
        String withVersion = FIRST.replace("\"type\"", "\"expectedVersion\":" + version + ",\"type\"");
        String withValue = FIRST.replace("\"type\"", "\"expectedVersion\":" + Long.parseLong(version) + ",\"type\"");

        // when, then
        assertThat(accepted(withVersion).bodyHash())
                .isEqualTo(accepted(withValue).bodyHash());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                FIRST,
                "{\"payload\":{\"occurredAt\":\"2011-10-01T00:38:44.546+02:00\",\"resource\":null,"
                        + "\"activity\":\"A_SUBMITTED\"},\"commandId\":\"cmd-2\",\"type\":\"RecordActivity\","
                        + "\"aggregateId\":\"x\",\"aggregateType\":\"LoanApplication\"}"
            })
    void keepsTheHashOfTheJsonAsSentThatTheVersionsBeforeTheCanonicalFormTook(String body) throws Exception {
        // given: what those versions hashed, the parsed tree written compactly in the order sent
        ObjectMapper json = new ObjectMapper();
        String asSent = sha256(json.writeValueAsBytes(json.readTree(body)));

        // when
        Intake.Accepted accepted = accepted(body);

        // then
        assertThat(accepted.bodyHashAsSent()).isEqualTo(asSent);
    }

    private Intake.Accepted accepted(String body) {
        Intake outcome = intake.read(body.getBytes(StandardCharsets.UTF_8));
        assertThat(outcome).as(body).isInstanceOf(Intake.Accepted.class);
        return (Intake.Accepted) outcome;
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
