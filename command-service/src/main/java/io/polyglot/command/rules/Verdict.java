package io.polyglot.command.rules;

import java.util.Objects;

/** What an aggregate's rules say about one event: allowed, with the state after it, or the rule it breaks. */
public sealed interface Verdict {

    /** The event may be recorded; {@code next} is the aggregate's state once it is. */
    record Allowed(RuleState next) implements Verdict {

        public Allowed {
            Objects.requireNonNull(next, "next");
        }
    }

    /**
     * The event breaks a rule; the command that carries it is refused and produces nothing.
     *
     * @param rule the rule's stable name, answered to the client as the problem's {@code rule}
     * @param detail a sentence saying what was wrong, for people
     */
    record Violated(String rule, String detail) implements Verdict {

        public Violated {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(detail, "detail");
        }
    }

    static Verdict allowed(RuleState next) {
        return new Allowed(next);
    }

    static Verdict violated(String rule, String detail) {
        return new Violated(rule, detail);
    }
}
