package io.polyglot.command.rules;

import static io.polyglot.command.rules.Activities.activities;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RuleBookTest {

    @Test
    void findsTheLoanApplicationRulesThroughTheServiceLoader() {
        // when
        RuleBook book = RuleBook.load();

        // then
        assertThat(book.governedTypes()).contains(LoanApplicationRules.AGGREGATE_TYPE);
        assertThat(book.rulesFor(LoanApplicationRules.AGGREGATE_TYPE)).isInstanceOf(LoanApplicationRules.class);
    }

    @Test
    void acceptsAnyActivityForAnAggregateTypeWithoutRules() {
        // given
        RuleBook book = RuleBook.load();

        // when
        Verdict verdict = book.decide("HelpdeskTicket", null, activities("O_SENT", "A_SUBMITTED", "A_SUBMITTED"));

        // then
        assertThat(verdict).isEqualTo(new Verdict.Allowed(RuleState.EMPTY));
    }

    @Test
    void refusesTwoRuleSetsForOneAggregateType() {
        assertThatThrownBy(() -> RuleBook.of(new LoanApplicationRules(), new LoanApplicationRules()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LoanApplication");
    }
}
