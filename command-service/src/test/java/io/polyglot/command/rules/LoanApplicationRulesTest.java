package io.polyglot.command.rules;

import static io.polyglot.command.rules.Activities.activities;
import static io.polyglot.command.rules.Activities.activity;
import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.command.intake.EventDraft;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoanApplicationRulesTest {

    private final RuleBook rules = RuleBook.of(new LoanApplicationRules());

    @Test
    void acceptsACaseThatIsSubmittedOffersAndClosesItsWorkAfterItIsDeclined() {
        // given
        List<String> names = List.of(
                "A_SUBMITTED",
                "A_PARTLYSUBMITTED",
                "O_CREATED",
                "O_SENT",
                "A_DECLINED",
                "O_CANCELLED",
                "W_Afhandelen leads");

        // when
        Verdict verdict = decide(null, activities(names.toArray(String[]::new)));

        // then
        assertThat(verdict).isInstanceOf(Verdict.Allowed.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"A_PARTLYSUBMITTED", "O_CREATED", "W_Afhandelen leads", "A_DECLINED"})
    void refusesACaseWhoseFirstEventIsNotItsSubmission(String first) {
        // when
        Verdict verdict = decide(null, activities(first));

        // then
        assertThat(verdict)
                .isInstanceOfSatisfying(
                        Verdict.Violated.class,
                        violated -> assertThat(violated.rule()).isEqualTo(LoanApplicationRules.STARTS_WITH_SUBMISSION));
    }

    @Test
    void refusesASecondSubmission() {
        // given
        RuleState submitted = allowedState(activities("A_SUBMITTED", "A_PARTLYSUBMITTED"));

        // when
        Verdict verdict = decide(submitted, activities("A_SUBMITTED"));

        // then
        assertThat(violatedRule(verdict)).isEqualTo(LoanApplicationRules.SUBMITTED_ONCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"A_DECLINED", "A_CANCELLED"})
    void refusesAnyApplicationEventOnceTheCaseIsClosed(String closing) {
        // given
        RuleState closed = allowedState(activities("A_SUBMITTED", "A_PARTLYSUBMITTED", closing));

        // when
        List<String> refused = List.of("A_PREACCEPTED", "A_DECLINED", "A_CANCELLED", "A_ACCEPTED").stream()
                .filter(next -> decide(closed, activities(next)) instanceof Verdict.Violated violated
                        && violated.rule().equals(LoanApplicationRules.CLOSED_APPLICATION))
                .toList();

        // then
        assertThat(refused).containsExactly("A_PREACCEPTED", "A_DECLINED", "A_CANCELLED", "A_ACCEPTED");
    }

    @Test
    void letsOffersAndWorkItemsCloseAfterTheCaseIsCancelled() {
        // given
        RuleState cancelled = allowedState(activities("A_SUBMITTED", "O_CREATED", "O_SENT", "A_CANCELLED"));

        // when
        Verdict verdict =
                decide(cancelled, List.of(activity("O_CANCELLED"), activity("W_Nabellen offertes", "COMPLETE")));

        // then
        assertThat(verdict).isInstanceOf(Verdict.Allowed.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"O_SENT", "O_SENT_BACK", "O_ACCEPTED", "O_DECLINED", "O_CANCELLED"})
    void refusesAnOfferStepBeforeAnyOfferWasCreated(String step) {
        // given
        RuleState submitted = allowedState(activities("A_SUBMITTED", "O_SELECTED"));

        // when
        Verdict verdict = decide(submitted, activities(step));

        // then
        assertThat(violatedRule(verdict)).isEqualTo(LoanApplicationRules.OFFER_NEEDS_CREATION);
    }

    @Test
    void refusesTheWholeCommandWhenOneOfItsEventsBreaksARule() {
        // when
        Verdict verdict = decide(null, activities("A_SUBMITTED", "O_SENT"));

        // then
        assertThat(violatedRule(verdict)).isEqualTo(LoanApplicationRules.OFFER_NEEDS_CREATION);
    }

    @Test
    void remembersOnlyWhatItsRulesNeed() {
        // when
        RuleState state =
                allowedState(activities("A_SUBMITTED", "A_PARTLYSUBMITTED", "O_CREATED", "O_SENT", "A_DECLINED"));

        // then
        assertThat(state.values())
                .containsExactly(
                        Map.entry("closedBy", "A_DECLINED"),
                        Map.entry("offerCreated", "true"),
                        Map.entry("submitted", "true"));
    }

    private Verdict decide(RuleState state, List<EventDraft> events) {
        return rules.decide(LoanApplicationRules.AGGREGATE_TYPE, state, events);
    }

    private RuleState allowedState(List<EventDraft> events) {
        Verdict verdict = decide(null, events);
        assertThat(verdict).isInstanceOf(Verdict.Allowed.class);
        return ((Verdict.Allowed) verdict).next();
    }

    private static String violatedRule(Verdict verdict) {
        assertThat(verdict).isInstanceOf(Verdict.Violated.class);
        return ((Verdict.Violated) verdict).rule();
    }
}
