package io.polyglot.bench.micro;

import io.polyglot.command.intake.EventDraft;
import io.polyglot.command.rules.LoanApplicationRules;
import io.polyglot.command.rules.RuleBook;
import io.polyglot.command.rules.RuleState;
import io.polyglot.command.rules.Verdict;
import io.polyglot.schemas.EventTypes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The loan rules of the command service as the decider calls them: one command's event against the rule state of
 * an application that was submitted and has an offer, and a whole case (the activities of a BPI 2012 application,
 * each against the state the one before left).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RulesBenchmark {
    private static final List<String> CASE = List.of(
            "A_SUBMITTED",
            "A_PARTLYSUBMITTED",
            "A_PREACCEPTED",
            "W_Afhandelen leads",
            "W_Completeren aanvraag",
            "A_ACCEPTED",
            "O_SELECTED",
            "A_FINALIZED",
            "O_CREATED",
            "O_SENT",
            "W_Nabellen offertes",
            "O_SENT_BACK",
            "W_Valideren aanvraag",
            "A_REGISTERED",
            "A_APPROVED",
            "O_ACCEPTED",
            "A_ACTIVATED");

    private RuleBook rules;
    private RuleState offered;
    private List<EventDraft> sent;
    private List<List<EventDraft>> wholeCase;

    @Setup
    public void prepare() {
        rules = RuleBook.of(new LoanApplicationRules());
        offered = RuleState.EMPTY;
        wholeCase = new ArrayList<>();
        for (String activity : CASE) {
            EventDraft draft = draft(activity, wholeCase.size());
            wholeCase.add(List.of(draft));
            if (activity.equals("O_SENT")) {
                sent = List.of(draft);
            } else if (sent == null) {
                offered = next(rules.decide(LoanApplicationRules.AGGREGATE_TYPE, offered, List.of(draft)));
            }
        }
    }

    private static EventDraft draft(String activity, long minutes) {
        return new EventDraft(
                EventTypes.ACTIVITY_RECORDED,
                Events.activity(activity, minutes),
                Instant.parse("2011-10-01T09:38:44.546Z").plusSeconds(60 * minutes));
    }

    private static RuleState next(Verdict verdict) {
        if (verdict instanceof Verdict.Allowed allowed) {
            return allowed.next();
        }
        throw new IllegalStateException("the loan rules refused a step of the benchmark's case: " + verdict);
    }

    @Benchmark
    public Verdict oneCommand() {
        return rules.decide(LoanApplicationRules.AGGREGATE_TYPE, offered, sent);
    }

    @Benchmark
    public RuleState wholeCase() {
        RuleState state = RuleState.EMPTY;
        for (List<EventDraft> step : wholeCase) {
            state = next(rules.decide(LoanApplicationRules.AGGREGATE_TYPE, state, step));
        }
        return state;
    }
}
