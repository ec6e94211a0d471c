package io.polyglot.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"LoanApplication", "HelpdeskTicket", "A", "X1"})
    void acceptsAggregateTypesOfTheRule(String type) {
        assertThat(Names.aggregateTypeProblem(type)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "loan", "../x", "a/../b", "Loan Application", "Loan_Application", "Ｌoan", "Loan\0"})
    void refusesAggregateTypesOutsideTheRule(String type) {
        assertThat(Names.aggregateTypeProblem(type)).isPresent();
        assertThatThrownBy(() -> Names.requireAggregateType(type)).isInstanceOf(InvalidNameException.class);
    }

    @org.junit.jupiter.api.Test
    void judgesEveryAggregateTypeAsItsPatternDoes() {
        // Every character of the first two planes' Latin blocks, controls and line ends included, at the start, in the
        // middle and at the end of a type, and every length around the longest.
        java.util.List<String> types = new java.util.ArrayList<>();
        for (char c = 0; c < 0x250; c++) {
            types.add(String.valueOf(c));
            types.add(c + "oan");
            types.add("Lo" + c + "an");
            types.add("Loan" + c);
        }
        types.addAll(java.util.List.of("\u212Aelvin", "Loan\r\n", "\uD835\uDC00", "Ａ"));
        for (int length = 60; length <= 66; length++) {
            types.add("L" + "o".repeat(length - 1));
        }
        for (String type : types) {
            assertThat(Names.aggregateTypeProblem(type).isEmpty())
                    .as(
                            "aggregate type %s",
                            type.chars().mapToObj(Integer::toHexString).toList())
                    .isEqualTo(Names.AGGREGATE_TYPE_PATTERN.matcher(type).matches());
        }
        assertThat(types.stream()
                        .filter(type -> Names.aggregateTypeProblem(type).isEmpty()))
                .as("a capital alone or first, a letter or digit within or last, lengths 60 to 64")
                .hasSize(26 + 26 + 62 + 62 + 5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"173688", "Case 1", "Ticket ü", "日本", "CON", "a.b"})
    void acceptsIdsOfTheRule(String id) {
        assertThat(Names.idProblem(id)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t", ".", "..", "../x", "a/b", "a\\b", "nul\0", "line\nbreak", "\u001b[31m"})
    void refusesIdsOutsideTheRule(String id) {
        assertThat(Names.idProblem(id)).isPresent();
        assertThatThrownBy(() -> Names.requireId("aggregate id", id))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageStartingWith("aggregate id ");
    }

    @org.junit.jupiter.api.Test
    void acceptsAnIdOfExactly256Characters() {
        assertThat(Names.idProblem("x".repeat(256))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {257, 300})
    void refusesIdsLongerThan256Characters(int length) {
        assertThat(Names.idProblem("x".repeat(length)))
                .hasValueSatisfying(p -> assertThat(p).contains("256"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\uD800", "a\uDC00b"})
    void refusesLoneSurrogates(String id) {
        assertThat(Names.idProblem(id)).isPresent();
    }

    static Stream<Arguments> blankAndVisibleTexts() {
        return Stream.of(
                blank("", true),
                blank(" ", true),
                blank("\t\n\r\u000B\f", true),
                blank("\u00A0\u00A0", true),
                blank("\u2007", true),
                blank("\u202F", true),
                blank("\u3000\u2003\u1680", true),
                blank("\u2028\u2029", true),
                blank("\u200B", true),
                blank("\u200C\u200D", true),
                blank("\u2060", true),
                blank("\uFEFF", true),
                blank("\u00AD", true),
                blank("\u180E", true),
                blank("\u034F", true),
                blank("\u3164", true),
                blank("\uFE0F", true),
                blank("\u200E\u202E\u2066", true),
                blank("\uDB40\uDC20", true),
                blank(" \u00A0\u200B\uFEFF\u2060\u00AD\t", true),
                blank("x", false),
                blank("\u00A0x\u00A0", false),
                blank("\u200B.\u200B", false),
                blank("\uFEFF0", false),
                blank("\u00A0\u200B\u00E9", false),
                blank("\u0301", false),
                blank("\u0600", false),
                blank("\u2800", false),
                blank("\uD835\uDC00\u200B", false),
                blank("\uD800", false),
                blank("Case 1", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blankAndVisibleTexts")
    void judgesATextBlankWhenNoneOfItsCharactersShows(String codePoints, String text, boolean blank) {
        assertThat(Names.isBlank(text)).as(codePoints).isEqualTo(blank);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blankAndVisibleTexts")
    void refusesABlankIdAsBlankAndNoOtherId(String codePoints, String text, boolean blank) {
        if (blank) {
            assertThat(Names.idProblem(text)).as(codePoints).hasValue("must not be empty or blank");
        } else {
            assertThat(Names.idProblem(text))
                    .as(codePoints)
                    .isNotEqualTo(java.util.Optional.of("must not be empty or blank"));
        }
    }

    private static Arguments blank(String text, boolean blank) {
        String codePoints = text.isEmpty()
                ? "(empty)"
                : text.codePoints()
                        .mapToObj(c -> String.format("U+%04X", c))
                        .collect(java.util.stream.Collectors.joining(" "));
        return Arguments.of(codePoints, text, blank);
    }
}
