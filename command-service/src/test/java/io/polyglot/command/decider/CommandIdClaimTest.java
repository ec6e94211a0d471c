package io.polyglot.command.decider;

import static io.polyglot.command.decider.Commands.loan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.command.avro.CommandRecord;
import io.polyglot.schemas.UndecodableRecordException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CommandIdClaimTest {

    @Test
    void comesBackFromItsRecordValueWithUnicodeIdsAndSpaces() {
        // given
        CommandIdClaim claim = new CommandIdClaim("Ticket/Case 17 Ω-ключ-🙂", "9f86d081884c7d65");

        // when
        CommandIdClaim decoded = CommandIdClaim.decode(claim.encode());

        // then
        assertThat(decoded).isEqualTo(claim);
    }

    @Test
    void takesNoMoreThanTheHashTheAggregateKeyAndOneSeparator() {
        // given
        String hash = "a".repeat(64);

        // when
        byte[] value = new CommandIdClaim("LoanApplication/173688", hash).encode();

        // then
        assertThat(value).hasSize(64 + 1 + "LoanApplication/173688".length());
    }

    @Test
    void isForTheCommandOfTheSameAggregateAndBodyOnly() {
        // given
        CommandRecord command = loan("c1", "case-1", "A_SUBMITTED");
        CommandIdClaim claim = CommandIdClaim.of(command);

        // then
        assertThat(claim.isFor(command)).isTrue();
        assertThat(claim.isFor(loan("c1", "case-2", "A_SUBMITTED"))).isFalse();
        assertThat(claim.isFor(loan("c1", "case-1", "A_PARTLYSUBMITTED"))).isFalse();
    }

    @Test
    void isForACommandWhoseHashAsSentIsTheClaimsHashOfABodyDecidedBeforeTheCanonicalForm() {
        // given: a claim written before the canonical form, holding the hash of the JSON as sent
        CommandRecord command = loan("c1", "case-1", "A_SUBMITTED");
        CommandIdClaim claim = new CommandIdClaim("LoanApplication/case-1", command.getBodyHashAsSent());
        CommandRecord otherBody = CommandRecord.newBuilder(command)
                .setBodyHashAsSent("another-hash-as-sent")
                .build();
        CommandRecord otherAggregate =
                CommandRecord.newBuilder(command).setAggregateId("case-2").build();

        // then
        assertThat(claim.isFor(command)).isTrue();
        assertThat(claim.isFor(otherBody)).isFalse();
        assertThat(claim.isFor(otherAggregate)).isFalse();
    }

    @Test
    void isForNoCommandWithoutAHashAsSentMerelyBecauseBothAreMissing() {
        // given: a command written before the canonical form has no hash as sent
        CommandRecord command = CommandRecord.newBuilder(loan("c1", "case-1", "A_SUBMITTED"))
                .setBodyHashAsSent(null)
                .build();
        CommandIdClaim claim = new CommandIdClaim("LoanApplication/case-1", "another-hash");

        // then
        assertThat(claim.isFor(command)).isFalse();
    }

    @Test
    void refusesAValueThatIsNotAClaim() {
        // given
        byte[] value = "no separator here".getBytes(StandardCharsets.UTF_8);

        // then
        assertThatThrownBy(() -> CommandIdClaim.decode(value)).isInstanceOf(UndecodableRecordException.class);
    }
}
