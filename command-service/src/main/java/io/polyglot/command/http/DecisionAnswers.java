package io.polyglot.command.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.avro.DecidedEvent;
import io.polyglot.command.avro.Outcome;
import io.polyglot.command.intake.Problem;
import io.polyglot.command.intake.ProblemType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** How a decision reads over HTTP: the accepted answer with its events, or the problem of a refused command. */
final class DecisionAnswers {

    private DecisionAnswers() {}

    /**
     * The problem of a refused decision; empty for an accepted one. A refusal replayed for a retry says so with {@code
     * "replayed": true}, as an accepted answer does: its figures (a version conflict's {@code currentVersion}) are
     * those of the first decision, not of the aggregate now.
     */
    static Optional<Problem> problemOf(CommandDecision decision) {
        if (decision.getOutcome() == Outcome.ACCEPTED) {
            return Optional.empty();
        }
        String detail = decision.getDetail() == null ? "the command was refused" : decision.getDetail();
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("commandId", decision.getCommandId());
        ProblemType type = ProblemType.COMMAND_ID_REUSED;
        if (decision.getOutcome() == Outcome.VERSION_CONFLICT) {
            type = ProblemType.VERSION_CONFLICT;
            members.put("expectedVersion", decision.getExpectedVersion());
            members.put("currentVersion", decision.getCurrentVersion());
        } else if (decision.getOutcome() == Outcome.RULE_VIOLATED) {
            type = ProblemType.RULE_VIOLATED;
            members.put("rule", decision.getRule());
        }
        if (decision.getReplayed()) {
            members.put("replayed", true);
        }
        return Optional.of(Problem.withMembers(type, detail, members));
    }

    /** {@code {"commandId", "status": "accepted", "events": [{"eventId", "aggregateVersion"}]}}. */
    static ObjectNode accepted(ObjectMapper json, CommandDecision decision) {
        ObjectNode answer = json.createObjectNode();
        answer.put("commandId", decision.getCommandId()).put("status", "accepted");
        outcomeOf(answer, decision);
        return answer;
    }

    /** What an accepted decision adds to an answer: whether it was replayed, and its events. */
    static void outcomeOf(ObjectNode answer, CommandDecision decision) {
        if (decision.getReplayed()) {
            // An earlier request decided this command: the events listed were recorded then, none now.
            answer.put("replayed", true);
        }
        eventsOf(answer, decision);
    }

    private static void eventsOf(ObjectNode answer, CommandDecision decision) {
        ArrayNode events = answer.putArray("events");
        for (DecidedEvent event : decision.getEvents()) {
            events.addObject().put("eventId", event.getEventId()).put("aggregateVersion", event.getAggregateVersion());
        }
    }
}
