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
