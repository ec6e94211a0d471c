package io.polyglot.command.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How an integer field is read, and what a client is told when it is not one the field takes: each spelling of a
 * number is judged on the exact value written.
 */
class JsonFieldsTest {

    /** Reads numbers with a point or an exponent exactly, as the intake does, without its bound on their length. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private static final String RANGE = "is out of range: must be from 0 to 9223372036854775807";
    private static final String NOT_AN_INTEGER = "must be an integer";
    private static final String WRITTEN_AS_INTEGER =
            "must be written as an integer, without a decimal point or an exponent";
    private static final String DIGITS_400 = "1" + "0".repeat(399);

    static Stream<Arguments> spellings() {
        return Stream.of(
                refused("2^63 - 1 with a point", "9223372036854775807.0", WRITTEN_AS_INTEGER),
                refused("2^63 - 1 with an exponent", "9223372036854775807e0", WRITTEN_AS_INTEGER),
                refused("2^63 - 1 with a point and an exponent", "9.223372036854775807e18", WRITTEN_AS_INTEGER),
                refused("2^63", "9223372036854775808", RANGE),
                refused("2^63 with a point", "9223372036854775808.0", RANGE),
                refused("2^63 with an exponent", "9.223372036854775808E+18", RANGE),
                refused("a half below 2^63", "9223372036854775806.5", NOT_AN_INTEGER),
                refused("a half below 2^63 - 1, with an exponent", "92233720368547758065e-1", NOT_AN_INTEGER),
                refused("a half above 2^63 - 1", "9223372036854775807.5", RANGE),
                refused("a near 2^63 with an exponent", "9.2e18", WRITTEN_AS_INTEGER),
                refused("five with a point", "5.0", WRITTEN_AS_INTEGER),
                refused("five with an exponent", "5e0", WRITTEN_AS_INTEGER),
                refused("five with a fraction and an exponent", "0.5e1", WRITTEN_AS_INTEGER),
                refused("five and a half", "5.5", NOT_AN_INTEGER),
                refused("-0 with a point", "-0.0", WRITTEN_AS_INTEGER),
                refused("-0 with an exponent", "-0e5", WRITTEN_AS_INTEGER),
                refused("a tiny fraction", "1e-400", NOT_AN_INTEGER),
                refused("1e19", "1e19", RANGE),
                refused("1e308", "1e308", RANGE),
                refused("1e308 with a point", "1.0e308", RANGE),
                refused("1e400", "1e400", RANGE),
                refused("-1", "-1", RANGE),
                refused("-1 with a point", "-1.0", RANGE),
                refused("-0.5", "-0.5", RANGE),
                refused("a 400-digit integer", DIGITS_400, RANGE),
                refused("a 400-digit integer with a point", DIGITS_400 + ".0", RANGE),
                refused("a fraction of 400 digits", "0." + "0".repeat(397) + "1", NOT_AN_INTEGER),
                refused("-(400 digits)", "-" + DIGITS_400, RANGE),
                taken("-0", "-0", 0),
                taken("0", "0", 0),
                taken("2^63 - 1", "9223372036854775807", Long.MAX_VALUE));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("spellings")
    void judgesEachSpellingOfANumberOnItsExactValue(String what, String number, Object expected) throws IOException {
        // given
        FieldProblems problems = new FieldProblems();

        // when
        Optional<Long> read = versionOf("{\"expectedVersion\": " + number + "}", problems);

        // then
        if (expected instanceof Long value) {
            assertThat(read).hasValue(value);
            assertThat(problems.isEmpty()).isTrue();
        } else {
            assertThat(read).isEmpty();
            assertThat(problems.list()).containsExactly(new FieldError("/expectedVersion", (String) expected));
        }
    }

    private static Arguments refused(String what, String number, String message) {
        return Arguments.of(what, number, message);
    }

    private static Arguments taken(String what, String number, long value) {
        return Arguments.of(what, number, value);
    }

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
    @ValueSource(strings = {"3.0", "1e2"})
    void refusesAnIntegerWithinTheRangeWrittenWithAPointOrAnExponent(String number) throws IOException {
        // given
        FieldProblems problems = new FieldProblems();

        // when
        Optional<Long> read = versionOf("{\"expectedVersion\": " + number + "}", problems);

        // then
        assertThat(read).isEmpty();
        assertThat(problems.list()).containsExactly(new FieldError("/expectedVersion", WRITTEN_AS_INTEGER));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"3\"", "true", "[3]", "{}"})
    void refusesAValueThatIsNoNumberAsNotAnInteger(String value) throws IOException {
        // given
        FieldProblems problems = new FieldProblems();

        // when
        Optional<Long> read = versionOf("{\"expectedVersion\": " + value + "}", problems);

        // then
        assertThat(read).isEmpty();
        assertThat(problems.list()).containsExactly(new FieldError("/expectedVersion", NOT_AN_INTEGER));
    }

    private static Optional<Long> versionOf(String json, FieldProblems problems) throws IOException {
        JsonFields fields = JsonFields.of(JSON.readTree(json), JsonPointer.empty(), problems)
                .orElseThrow();
        return fields.optionalWholeNumber("expectedVersion", 0);
    }
}
