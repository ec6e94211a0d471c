package io.polyglot.importer.report;

import io.polyglot.importer.delivery.BatchAnswer;
import io.polyglot.importer.delivery.LineResult;
import io.polyglot.importer.delivery.Problem;
import io.polyglot.importer.log.CaseEvent;
import io.polyglot.importer.log.LogEntry;
import io.polyglot.importer.log.UnusableEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The tally of one import: events read, commands sent, and what became of them: accepted, rejected, not decided or
 * not answered, with rejections counted per problem type and a few examples of each and of the undecided. Answers are
 * counted by one thread, commands sent by the threads that send them; everything may be read from any thread: the
 * counters by the progress, the whole summary by the shutdown hook that writes it while the import still goes on.
 * Every count changes under one lock, under which the summary takes its one reading of them all, so a summary written
 * while commands are still read, sent and answered adds up: it never counts an answer, a send or a rejection example
 * that its other figures do not hold yet.
 *
 * <p>Not decided is a category of its own because such a command is neither: it is durably in Kafka and the decider
 * will decide it, but the import did not learn how. Not answered is what was sent without a final answer: its request
 * failed for good, or the import stopped while it was in flight.
 */
public final class ImportSummary {

    private static final int EXAMPLES_PER_PROBLEM = 3;

    private final Object lock = new Object();
    private long read;
    private long sent;
    private long accepted;
    private long acceptedEarlier;
    private long rejectedLocally;
    private long rejectedByService;
    private long undecided;
    private long notSent;
    private String notSentBecause;
    private final List<String> undecidedExamples = new ArrayList<>();
    private final Set<String> cases = new HashSet<>();
    private final Map<String, Tally> problems = new TreeMap<>();

    /** Counts an event read from the log; an unusable one is also counted as rejected locally. */
    public void read(LogEntry entry) {
        synchronized (lock) {
            read++;
            if (entry.caseId() != null) {
                cases.add(entry.caseId());
            }
            if (entry instanceof UnusableEvent unusable) {
                rejectedLocally++;
                String where = where(unusable.line(), unusable.caseId(), unusable.position());
                tally(unusable.problem(), where + ": " + unusable.detail() + " (not sent)");
            }
        }
    }

    /** Counts {@code commands} commands as sent: their request is leaving for the command service. */
    public void sent(int commands) {
        synchronized (lock) {
            sent += commands;
        }
    }

    /**
     * Counts {@code commands} commands as not sent: every attempt of their request failed before it reached the
     * command service, so they never left the machine.
     *
     * @param why why, for the summary, e.g. {@code the command service at URL could not be reached}
     */
    public void notSent(int commands, String why) {
        synchronized (lock) {
            notSentBecause = why;
            notSent += commands;
        }
    }

    /** Commands whose request never reached the command service. */
    public long notSentCount() {
        return reading(() -> notSent);
    }

    /** Counts the final answers of one batch. */
    public void answered(BatchAnswer answer) {
        synchronized (lock) {
            for (LineResult result : answer.results()) {
                count(result, answer.attempts());
            }
        }
    }

    private void count(LineResult result, int attempts) {
        CaseEvent event = result.command().event();
        if (result.accepted()) {
            accepted++;
            if (result.replayed()) {
                acceptedEarlier++;
            }
            return;
        }
        if (result.pending()) {
            undecided++;
            if (undecidedExamples.size() < EXAMPLES_PER_PROBLEM) {
                undecidedExamples.add(where(event.line(), event.caseId(), event.position()) + ": command "
                        + result.command().commandId() + ", still pending after " + attempts + " attempts");
            }
            return;
        }
        rejectedByService++;
        Problem problem = result.problem();
        tally(problem.type(), where(event.line(), event.caseId(), event.position()) + ": " + problem.detail());
    }

    /** Events read from the log. */
    public long readCount() {
        return reading(() -> read);
    }

    /** Commands sent to the command service, answered or not. */
    public long sentCount() {
        return reading(() -> sent);
    }

    /**
     * Commands sent that have no final answer: their request failed for good (the command service unreachable or
     * unavailable through every retry, or refusing the request as a whole), or it was still in flight.
     */
    public long notAnsweredCount() {
        return reading(() -> sent - accepted - rejectedByService - undecided);
    }

    /** Events the command service accepted. */
    public long acceptedCount() {
        return reading(() -> accepted);
    }

    /** Of the accepted events, those an earlier request had recorded already: this import recorded them no more. */
    public long acceptedEarlierCount() {
        return reading(() -> acceptedEarlier);
    }

    /** Events rejected, locally or by the command service. */
    public long rejectedCount() {
        return reading(() -> rejectedLocally + rejectedByService);
    }

    /** Events the command service took into Kafka but had not decided by the last attempt. */
    public long undecidedCount() {
        return reading(() -> undecided);
    }

    /** Rejections per problem type. */
    public Map<String, Long> rejectionsByProblem() {
        Map<String, Long> counts = new TreeMap<>();
        snapshot().problems().forEach((type, tally) -> counts.put(type, tally.count()));
        return counts;
    }

    /** Distinct cases read. */
    public int caseCount() {
        return (int) reading(cases::size);
    }

    /** The summary people read at the end of an import. */
    public String render(Duration elapsed) {
        // One reading of every count, so that the lines add up while requests still come and go.
        Snapshot now = snapshot();
        StringBuilder out = new StringBuilder();
        out.append(String.format("read      %,d events in %,d cases%n", now.read(), now.cases()));
        long rate = elapsed.toMillis() > 0 ? now.sent() * 1000 / elapsed.toMillis() : 0;
        out.append(String.format(
                "sent      %,d commands in %s (%,d commands/s)%n", now.sent(), Progress.formatDuration(elapsed), rate));
        out.append(String.format("accepted  %,d", now.accepted()));
        if (now.acceptedEarlier() > 0) {
            out.append(String.format(
                    " (%,d of them decided by an earlier request, of an earlier run or an earlier attempt of this"
                            + " one: recorded then, not again now)",
                    now.acceptedEarlier()));
        }
        out.append(System.lineSeparator());
        out.append(String.format(
                "rejected  %,d (%,d locally, %,d by the command service)%n",
                now.rejectedLocally() + now.rejectedByService(), now.rejectedLocally(), now.rejectedByService()));
        now.problems().forEach((type, tally) -> {
            out.append(String.format("  %-24s %,d%n", type, tally.count()));
            tally.examples()
                    .forEach(
                            example -> out.append("      e.g. ").append(example).append(System.lineSeparator()));
        });
        out.append(String.format("not decided %,d", now.undecided()));
        out.append(now.undecided() == 0 ? "" : " (in Kafka, decision unknown; GET /v1/commands/{commandId} tells it)");
        out.append(System.lineSeparator());
        now.undecidedExamples()
                .forEach(example -> out.append("      e.g. ").append(example).append(System.lineSeparator()));
        out.append(String.format("not answered %,d", now.notAnswered()));
        out.append(
                now.notAnswered() == 0
                        ? ""
                        : " (sent, but no final answer came: the request failed or the import stopped first; an"
                                + " import of the same log sends the same command ids)");
        out.append(System.lineSeparator());
        if (now.notSent() > 0) {
            out.append(String.format("not sent  %,d (%s)%n", now.notSent(), now.notSentBecause()));
        }
        return out.toString();
    }

    /** One count, read under the lock that every change takes. */
    private long reading(LongSupplier count) {
        synchronized (lock) {
            return count.getAsLong();
        }
    }

    /** Every count as it is at one moment, copied under the lock that every change takes. */
    private Snapshot snapshot() {
        synchronized (lock) {
            Map<String, TallyReading> tallies = new TreeMap<>();
            problems.forEach((type, tally) -> tallies.put(type, new TallyReading(tally.count, tally.examples)));
            return new Snapshot(
                    read,
                    cases.size(),
                    sent,
                    accepted,
                    acceptedEarlier,
                    rejectedLocally,
                    rejectedByService,
                    undecided,
                    notSent,
                    notSentBecause,
                    List.copyOf(undecidedExamples),
                    tallies);
        }
    }

    private void tally(String problemType, String example) {
        Tally tally = problems.computeIfAbsent(problemType, type -> new Tally());
        tally.count++;
        if (tally.examples.size() < EXAMPLES_PER_PROBLEM) {
            tally.examples.add(example);
        }
    }

    private static String where(long line, String caseId, int position) {
        String at = "line " + line;
        return caseId == null
                ? at + ", event " + position + " of a trace without case id"
                : at + ", case '" + caseId + "' event " + position;
    }

    /** The counts of an import as read at one moment. */
    private record Snapshot(
            long read,
            int cases,
            long sent,
            long accepted,
            long acceptedEarlier,
            long rejectedLocally,
            long rejectedByService,
            long undecided,
            long notSent,
            String notSentBecause,
            List<String> undecidedExamples,
            Map<String, TallyReading> problems) {

        /** Sent, with no final answer: neither accepted, rejected by the command service nor left pending. */
        long notAnswered() {
            return sent - accepted - rejectedByService - undecided;
        }
    }

    /** The rejections of one problem type as read at one moment. */
    private record TallyReading(long count, List<String> examples) {

        TallyReading {
            examples = List.copyOf(examples);
        }
    }

    /** The rejections of one problem type, changed under the summary's lock. */
    private static final class Tally {
        private long count;
        private final List<String> examples = new ArrayList<>();
    }
}
