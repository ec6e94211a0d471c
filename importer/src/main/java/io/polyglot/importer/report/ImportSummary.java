package io.polyglot.importer.report;

import io.polyglot.importer.delivery.BatchAnswer;
import io.polyglot.importer.delivery.LineResult;
import io.polyglot.importer.delivery.Problem;
import io.polyglot.importer.log.CaseEvent;
import io.polyglot.importer.log.LogEntry;
import io.polyglot.importer.log.UnusableEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tally of one import: events read, commands sent, and what became of them: accepted, rejected, not decided or
 * not answered, with rejections counted per problem type and a few examples of each and of the undecided. Answers are
 * counted by one thread, commands sent by the threads that send them; everything may be read from any thread: the
 * counters by the progress, the whole summary by the shutdown hook that writes it while the import still goes on.
 *
 * <p>Not decided is a category of its own because such a command is neither: it is durably in Kafka and the decider
 * will decide it, but the import did not learn how. Not answered is what was sent without a final answer: its request
 * failed for good, or the import stopped while it was in flight.
 */
public final class ImportSummary {

    private static final int EXAMPLES_PER_PROBLEM = 3;

    private final AtomicLong read = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong acceptedEarlier = new AtomicLong();
    private final AtomicLong rejectedLocally = new AtomicLong();
    private final AtomicLong rejectedByService = new AtomicLong();
    private final AtomicLong undecided = new AtomicLong();
    private final AtomicLong notSent = new AtomicLong();
    private volatile String notSentBecause;
    private final List<String> undecidedExamples = new CopyOnWriteArrayList<>();
    private final Set<String> cases = ConcurrentHashMap.newKeySet();
    private final Map<String, Tally> problems = new ConcurrentSkipListMap<>();

    /** Counts an event read from the log; an unusable one is also counted as rejected locally. */
    public void read(LogEntry entry) {
        read.incrementAndGet();
        if (entry.caseId() != null) {
            cases.add(entry.caseId());
        }
        if (entry instanceof UnusableEvent unusable) {
            rejectedLocally.incrementAndGet();
            String where = where(unusable.line(), unusable.caseId(), unusable.position());
            tally(unusable.problem(), where + ": " + unusable.detail() + " (not sent)");
        }
    }

    /** Counts {@code commands} commands as sent: their request is leaving for the command service. */
    public void sent(int commands) {
        sent.addAndGet(commands);
    }

    /**
     * Counts {@code commands} commands as not sent: every attempt of their request failed before it reached the
     * command service, so they never left the machine.
     *
     * @param why why, for the summary, e.g. {@code the command service at URL could not be reached}
     */
    public void notSent(int commands, String why) {
        notSentBecause = why;
        notSent.addAndGet(commands);
    }

    /** Commands whose request never reached the command service. */
    public long notSentCount() {
        return notSent.get();
    }

    /** Counts the final answers of one batch. */
    public void answered(BatchAnswer answer) {
        for (LineResult result : answer.results()) {
            CaseEvent event = result.command().event();
            if (result.accepted()) {
                accepted.incrementAndGet();
                if (result.replayed()) {
                    acceptedEarlier.incrementAndGet();
                }
                continue;
            }
            if (result.pending()) {
                undecided.incrementAndGet();
                if (undecidedExamples.size() < EXAMPLES_PER_PROBLEM) {
                    undecidedExamples.add(where(event.line(), event.caseId(), event.position()) + ": command "
                            + result.command().commandId() + ", still pending after " + answer.attempts()
                            + " attempts");
                }
                continue;
            }
            rejectedByService.incrementAndGet();
            Problem problem = result.problem();
            tally(problem.type(), where(event.line(), event.caseId(), event.position()) + ": " + problem.detail());
        }
    }

    /** Events read from the log. */
    public long readCount() {
        return read.get();
    }

    /** Commands sent to the command service, answered or not. */
    public long sentCount() {
        return sent.get();
    }

    /**
     * Commands sent that have no final answer: their request failed for good (the command service unreachable or
     * unavailable through every retry, or refusing the request as a whole), or it was still in flight.
     */
    public long notAnsweredCount() {
        return answers().notAnswered();
    }

    /** Events the command service accepted. */
    public long acceptedCount() {
        return accepted.get();
    }

    /** Of the accepted events, those an earlier request had recorded already: this import recorded them no more. */
    public long acceptedEarlierCount() {
        return acceptedEarlier.get();
    }

    /** Events rejected, locally or by the command service. */
    public long rejectedCount() {
        return rejectedLocally.get() + rejectedByService.get();
    }

    /** Events the command service took into Kafka but had not decided by the last attempt. */
    public long undecidedCount() {
        return undecided.get();
    }

    /** Rejections per problem type. */
    public Map<String, Long> rejectionsByProblem() {
        Map<String, Long> counts = new TreeMap<>();
        problems.forEach((type, tally) -> counts.put(type, tally.count.get()));
        return counts;
    }

    /** Distinct cases read. */
    public int caseCount() {
        return cases.size();
    }

    /** The summary people read at the end of an import. */
    public String render(Duration elapsed) {
        // One reading of the counters for every line, so that they add up while requests still come and go.
        Answers now = answers();
        long rejectedLocallyNow = rejectedLocally.get();
        StringBuilder out = new StringBuilder();
        out.append(String.format("read      %,d events in %,d cases%n", read.get(), cases.size()));
        long rate = elapsed.toMillis() > 0 ? now.sent() * 1000 / elapsed.toMillis() : 0;
        out.append(String.format(
                "sent      %,d commands in %s (%,d commands/s)%n", now.sent(), Progress.formatDuration(elapsed), rate));
        out.append(String.format("accepted  %,d", now.accepted()));
        if (acceptedEarlier.get() > 0) {
            out.append(String.format(
                    " (%,d of them decided by an earlier request, of an earlier run or an earlier attempt of this"
                            + " one: recorded then, not again now)",
                    acceptedEarlier.get()));
        }
        out.append(System.lineSeparator());
        out.append(String.format(
                "rejected  %,d (%,d locally, %,d by the command service)%n",
                rejectedLocallyNow + now.rejectedByService(), rejectedLocallyNow, now.rejectedByService()));
        problems.forEach((type, tally) -> {
            out.append(String.format("  %-24s %,d%n", type, tally.count.get()));
            tally.examples.forEach(
                    example -> out.append("      e.g. ").append(example).append(System.lineSeparator()));
        });
        out.append(String.format("not decided %,d", now.undecided()));
        out.append(now.undecided() == 0 ? "" : " (in Kafka, decision unknown; GET /v1/commands/{commandId} tells it)");
        out.append(System.lineSeparator());
        undecidedExamples.forEach(
                example -> out.append("      e.g. ").append(example).append(System.lineSeparator()));
        out.append(String.format("not answered %,d", now.notAnswered()));
        out.append(
                now.notAnswered() == 0
                        ? ""
                        : " (sent, but no final answer came: the request failed or the import stopped first; an"
                                + " import of the same log sends the same command ids)");
        out.append(System.lineSeparator());
        long notSentNow = notSent.get();
        if (notSentNow > 0) {
            out.append(String.format("not sent  %,d (%s)%n", notSentNow, notSentBecause));
        }
        return out.toString();
    }

    /**
     * One reading of the counters of the commands sent and their final answers. The answers are read first: a command
     * is counted as sent before its answer, so the sends read after them hold every command answered and the count
     * of those not answered is never negative.
     */
    private Answers answers() {
        long acceptedNow = accepted.get();
        long rejectedByServiceNow = rejectedByService.get();
        long undecidedNow = undecided.get();
        return new Answers(sent.get(), acceptedNow, rejectedByServiceNow, undecidedNow);
    }

    private void tally(String problemType, String example) {
        Tally tally = problems.computeIfAbsent(problemType, type -> new Tally());
        tally.count.incrementAndGet();
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

    /** The commands sent and what became of them, as read at one moment. */
    private record Answers(long sent, long accepted, long rejectedByService, long undecided) {

        /** Sent, with no final answer: neither accepted, rejected by the command service nor left pending. */
        long notAnswered() {
            return sent - accepted - rejectedByService - undecided;
        }
    }

    private static final class Tally {
        private final AtomicLong count = new AtomicLong();
        private final List<String> examples = new CopyOnWriteArrayList<>();
    }
}
