package io.polyglot.command.intake;

import static io.polyglot.command.intake.CommandIntakeTest.problemOf;
import static io.polyglot.command.intake.ValidCommands.bytes;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.schemas.EventCodec;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NameRulesTest {

    private final CommandIntake intake = new CommandIntake(
            CommandTypes.standard(), EventCodec.standard(), Clock.systemUTC(), UUID::randomUUID, 1_048_576);

    @ParameterizedTest
    @ValueSource(strings = {"../x", "loanApplication", "Loan-Application", "Loan Application", "Ä", "", "1Loan"})
    void refusesAnAggregateTypeThatBreaksTheRuleInsteadOfRewritingIt(String aggregateType) {
        // given
        ObjectNode command = recordActivity();
        command.put("aggregateType", aggregateType);

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.INVALID_COMMAND);
        assertThat(problemOf(outcome).errors())
                .containsExactly(new FieldError("/aggregateType", "must match ^[A-Z][A-Za-z0-9]{0,63}$"));
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 65})
    void limitsAnAggregateTypeToSixtyFourCharacters(int length) {
        // given
        ObjectNode command = recordActivity();
        command.put("aggregateType", "L" + "a".repeat(length - 1));

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(outcome instanceof Intake.Accepted).isEqualTo(length <= 64);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t", ".", "..", "../etc", "a/b", "a\\b", "line\nbreak", "nul\u0000"})
    void refusesAnAggregateIdThatBreaksTheIdRules(String aggregateId) {
        // given
        ObjectNode command = recordActivity();
        command.put("aggregateId", aggregateId);

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(problemOf(outcome).type()).isEqualTo(ProblemType.INVALID_COMMAND);
        assertThat(problemOf(outcome).errors()).extracting(FieldError::pointer).containsExactly("/aggregateId");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", "a/b", "tab\there"})
    void refusesACommandIdThatBreaksTheIdRules(String commandId) {
        // given
        ObjectNode command = recordActivity();
        command.put("commandId", commandId);

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(problemOf(outcome).errors()).extracting(FieldError::pointer).containsExactly("/commandId");
        assertThat(outcome.commandId()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {256, 257})
    void limitsIdsToTwoHundredFiftySixCharacters(int length) {
        // given
        ObjectNode command = recordActivity();
        command.put("aggregateId", "x".repeat(length));

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(outcome instanceof Intake.Accepted).isEqualTo(length <= 256);
    }

    @ParameterizedTest
    @ValueSource(strings = {"commandId", "aggregateId", "correlationId", "causationId"})
    void refusesAnIdOfCharactersThatShowNothingAsBlank(String field) {
        for (String blank : List.of("\u00A0\u00A0", "\u200B", "\u2007\u202F", "\uFEFF\u2060\u00AD", " \u180E ")) {
            // given
            ObjectNode command = recordActivity();
            command.put(field, blank);

            // when
            Intake outcome = intake.read(bytes(command));

            // then
            assertThat(problemOf(outcome).errors())
                    .as(
                            "%s of %s",
                            field, blank.chars().mapToObj(Integer::toHexString).toList())
                    .containsExactly(new FieldError("/" + field, "must not be empty or blank"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"commandId", "aggregateId", "correlationId", "causationId"})
    void acceptsAnIdWithAVisibleCharacterAmongInvisibleOnes(String field) {
        // given
        ObjectNode command = recordActivity();
        command.put(field, "\u00A0\u200Bx\uFEFF");

        // when
        Intake outcome = intake.read(bytes(command));

        // then
        assertThat(outcome).isInstanceOf(Intake.Accepted.class);
    }
}
