package io.polyglot.command.intake;

import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.schemas.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An {@code expectedVersion} spelled every way JSON allows, read through the intake's own JSON reader: the problem
 * says what is wrong with the value written, not with a double rounded from it.
 */
class ExpectedVersionSpellingTest {

    private static final String RANGE = "is out of range: must be from 0 to 9223372036854775807";
    private static final String NOT_AN_INTEGER = "must be an integer";
    private static final String WRITTEN_AS_INTEGER =
            "must be written as an integer, without a decimal point or an exponent";

    private final CommandIntake intake = new CommandIntake(
            CommandTypes.standard(), EventCodec.standard(), Clock.systemUTC(), UUID::randomUUID, 1_048_576);

    static Stream<Arguments> fieldProblems() {
        return Stream.of(
                Arguments.of("9223372036854775806.5", NOT_AN_INTEGER),
                Arguments.of("92233720368547758065e-1", NOT_AN_INTEGER),
                Arguments.of("5.5", NOT_AN_INTEGER),
                Arguments.of("1e-2147483647", NOT_AN_INTEGER),
                Arguments.of("9223372036854775807.0", WRITTEN_AS_INTEGER),
                Arguments.of("9223372036854775807e0", WRITTEN_AS_INTEGER),
                Arguments.of("9.2e18", WRITTEN_AS_INTEGER),
                Arguments.of("5.0", WRITTEN_AS_INTEGER),
                Arguments.of("5e0", WRITTEN_AS_INTEGER),
                Arguments.of("-0.0", WRITTEN_AS_INTEGER),
                Arguments.of("9223372036854775808", RANGE),
                Arguments.of("9223372036854775807.5", RANGE),
                Arguments.of("1e19", RANGE),
                Arguments.of("1e308", RANGE),
                Arguments.of("100e2147483647", RANGE),
                Arguments.of("-1", RANGE),
                Arguments.of("9".repeat(CommandIntake.MAX_NUMBER_LENGTH), RANGE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fieldProblems")
    void refusesTheVersionWithTheProblemOfTheValueWritten(String number, String message) {
        // when
        Problem problem = refusalOf(number);

        // then
        assertThat(problem.type()).isEqualTo(ProblemType.INVALID_COMMAND);
        assertThat(problem.errors()).containsExactly(new FieldError("/expectedVersion", message));
    }

    static Stream<Arguments> numbersBeyondTheReader() {
        String digits400 = "1" + "0".repeat(399);
        return Stream.of(
                Arguments.of(digits400, "Number value length (400) exceeds the maximum allowed (64"),
                Arguments.of(digits400 + ".5", "Number value length (401) exceeds the maximum allowed (64"),
                Arguments.of("1e9999999999", "Number value 1e9999999999 has an exponent beyond what is read"),
                Arguments.of("1e-9999999999", "Number value 1e-9999999999 has an exponent beyond what is read"),
                Arguments.of("1.0e-2147483647", "Number value 1.0e-2147483647 has an exponent beyond what is read"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numbersBeyondTheReader")
    void refusesANumberBeyondWhatTheReaderTakesNamingTheBoundAndTheField(String number, String bound) {
        // when
        Problem problem = refusalOf(number);

        // then
        assertThat(problem.type()).isEqualTo(ProblemType.MALFORMED_JSON);
        assertThat(problem.detail())
                .startsWith("the body goes beyond what the service reads as JSON: ")
                .contains(bound)
                .contains(" at /expectedVersion");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("takenSpellings")
    void takesAnIntegerWrittenWithoutAPointOrAnExponent(String number, long version) {
        // when
        Intake outcome = intake.read(commandWithVersion(number));

        // then
        assertThat(outcome)
                .isInstanceOfSatisfying(
                        Intake.Accepted.class,
                        accepted -> assertThat(accepted.expectedVersion()).hasValue(version));
    }

    static List<Arguments> takenSpellings() {
        return List.of(
                Arguments.of("0", 0L), Arguments.of("-0", 0L), Arguments.of("9223372036854775807", Long.MAX_VALUE));
    }

    private Problem refusalOf(String number) {
        return CommandIntakeTest.problemOf(intake.read(commandWithVersion(number)));
    }

    /** A valid command whose {@code expectedVersion} is {@code number} exactly as written. */
    private static byte[] commandWithVersion(String number) {
        String command = recordActivity().put("expectedVersion", "#").toString();
        return command.replace("\"#\"", number).getBytes(StandardCharsets.UTF_8);
    }
}
