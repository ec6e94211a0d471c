package io.polyglot.command.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How a whole number field is read, and what a client is told when it is not one the field takes. */
class JsonFieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RANGE = "is out of range: must be from 0 to 9223372036854775807";

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "9223372036854775808",
                "99999999999999999999",
                "1e30",
                "1E+19",
                "1e400",
                "-1e400",
                "-1",
                "-9223372036854775809",
                "-0.5"
            })
    void refusesANumberOutsideTheFieldsRangeAsOutOfRangeNamingTheRange(String number) throws IOException {
        // given
        FieldProblems problems = new FieldProblems();

        // when
        Optional<Long> read = versionOf("{\"expectedVersion\": " + number + "}", problems);

        // then
        assertThat(read).isEmpty();
        assertThat(problems.list()).containsExactly(new FieldError("/expectedVersion", RANGE));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"0, 0", "-0, 0", "42, 42", "9223372036854775807, 9223372036854775807"})
    void takesAWholeNumberWithinTheRangeUpToTheLargestLong(String number, long expected) throws IOException {
        // given
        FieldProblems problems = new FieldProblems();

        // when
        Optional<Long> read = versionOf("{\"expectedVersion\": " + number + "}", problems);

        // then
        assertThat(read).hasValue(expected);
        assertThat(problems.isEmpty()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1.5", "3.0", "1e2"})
    void refusesANumberWithinTheRangeWrittenWithAPointOrAnExponent(String number) throws IOException {
        // given
        FieldProblems problems = new FieldProblems();

        // when
        Optional<Long> read = versionOf("{\"expectedVersion\": " + number + "}", problems);

        // then
        assertThat(read).isEmpty();
        assertThat(problems.list())
                .containsExactly(new FieldError(
                        "/expectedVersion", "must be a whole number, written without a decimal point or an exponent"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"3\"", "true", "[3]", "{}"})
    void refusesAValueThatIsNoNumberAsNotAWholeNumber(String value) throws IOException {
        // given
        FieldProblems problems = new FieldProblems();

        // when
        Optional<Long> read = versionOf("{\"expectedVersion\": " + value + "}", problems);

        // then
        assertThat(read).isEmpty();
        assertThat(problems.list()).containsExactly(new FieldError("/expectedVersion", "must be a whole number"));
    }

    private static Optional<Long> versionOf(String json, FieldProblems problems) throws IOException {
        JsonFields fields = JsonFields.of(JSON.readTree(json), JsonPointer.empty(), problems)
                .orElseThrow();
        return fields.optionalWholeNumber("expectedVersion", 0);
    }
}
