package io.polyglot.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
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
}
