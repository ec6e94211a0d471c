package io.polyglot.importer.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.importer.command.Batch;
import io.polyglot.importer.command.PendingCommand;
import io.polyglot.importer.delivery.BatchAnswer;
import io.polyglot.importer.delivery.LineResult;
import io.polyglot.importer.delivery.Problem;
import io.polyglot.importer.log.CaseEvent;
import io.polyglot.importer.log.UnusableEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ImportSummaryTest {

    private static PendingCommand command(String caseId, int position, long line) {
        CaseEvent event = new CaseEvent(caseId, position, "a", null, null, "2020-01-01T00:00:00Z", Map.of(), line);
        return new PendingCommand(event, caseId + position, new byte[0]);
    }

    @Test
    void rendersCountsThatAddUpWhileCommandsAreStillSentAndAnswered() throws Exception {
        // given: two senders that count a command as sent, then as accepted, as fast as they can
        ImportSummary summary = new ImportSummary();
        Sender sender = (number, i) -> {
            PendingCommand command = command("s" + number + "-" + i, 1, i);
            summary.sent(1);
            summary.answered(new BatchAnswer(new Batch(List.of(command)), List.of(LineResult.accepted(command)), 1));
        };

        // when: the summary is rendered meanwhile, again and again
        List<String> unbalanced = renderedWhileSending(summary, 2, sender, text -> {
            long accounted = count(text, "accepted") + count(text, "not answered");
            return count(text, "sent") == accounted && summary.notAnsweredCount() >= 0;
        });

        // then
        assertThat(summary.sentCount()).isPositive();
        assertThat(unbalanced).isEmpty();
    }

    @Test
    void rendersEveryFigureFromOneReadingWhileEventsAreReadSentNotSentAndAnswered() throws Exception {
        // given: three senders, each reading an event and then either counting it as not sent, as sent and accepted
        // (decided by an earlier request), or as sent and rejected by the command service
        ImportSummary summary = new ImportSummary();
        Sender sender = (kind, i) -> {
            PendingCommand command = command("k" + kind + "-" + i, 1, i);
            summary.read(command.event());
            if (kind == 0) {
                summary.notSent(1, "the command service at URL could not be reached");
                return;
            }
            LineResult result = kind == 1
                    ? LineResult.acceptedEarlier(command)
                    : LineResult.rejected(command, new Problem("invalid-command", "/payload bad"));
            summary.sent(1);
            summary.answered(new BatchAnswer(new Batch(List.of(command)), List.of(result), 1));
        };

        // when: the summary is rendered meanwhile, again and again
        List<String> disagreeing = renderedWhileSending(summary, 3, sender, ImportSummaryTest::agreesWithItself);

        // then: no event is counted more often than it was read, and every part is within its whole
        assertThat(summary.notSentCount()).isPositive();
        assertThat(summary.acceptedEarlierCount()).isPositive();
        assertThat(disagreeing).isEmpty();
    }

    /** What one sender thread does with its {@code i}-th command, as fast as it can. */
    private interface Sender {
        void send(int sender, long i);
    }

    /**
     * Renders {@code summary} 2,000 times while {@code senders} threads count commands through {@code sender}, and
     * answers the summaries that {@code agrees} finds wrong.
     */
    private static List<String> renderedWhileSending(
            ImportSummary summary, int senders, Sender sender, Predicate<String> agrees) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(senders);
        for (int number = 0; number < senders; number++) {
            int which = number;
            threads.submit(() -> {
                for (long i = 0; !stop.get(); i++) {
                    sender.send(which, i);
                }
            });
        }
        List<String> wrong = new ArrayList<>();
        try {
            for (int render = 0; render < 2_000; render++) {
                String text = summary.render(Duration.ofSeconds(1));
                if (!agrees.test(text)) {
                    wrong.add(text);
                }
            }
        } finally {
            stop.set(true);
            threads.shutdown();
            assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        return wrong;
    }

    /**
     * Whether the figures of a rendered summary agree: as many cases as events read (each event here is a case of its
     * own), sent and not sent within read, accepted by an earlier request within accepted, the rejections per problem
     * type adding up to those rejected by the command service, and the commands sent accepted, rejected by the
     * command service, not decided or not answered.
     */
    private static boolean agreesWithItself(String text) {
        long read = count(text, "read");
        long sent = count(text, "sent");
        long notSent = text.contains("not sent") ? count(text, "not sent") : 0;
        long accepted = count(text, "accepted");
        Matcher earlier =
                Pattern.compile("accepted +[0-9,]+ \\(([0-9,]+) of them").matcher(text);
        long acceptedEarlier = earlier.find() ? Long.parseLong(earlier.group(1).replace(",", "")) : 0;
        Matcher rejected = Pattern.compile("rejected +[0-9,]+ \\(([0-9,]+) locally, ([0-9,]+) by")
                .matcher(text);
        assertThat(rejected.find()).as(text).isTrue();
        long rejectedByService = Long.parseLong(rejected.group(2).replace(",", ""));
        long perProblem = text.contains("invalid-command") ? count(text, " +invalid-command") : 0;
        Matcher cases = Pattern.compile("events in ([0-9,]+) cases").matcher(text);
        assertThat(cases.find()).as(text).isTrue();
        return sent + notSent <= read
                && Long.parseLong(cases.group(1).replace(",", "")) == read
                && acceptedEarlier <= accepted
                && perProblem == rejectedByService
                && sent == accepted + rejectedByService + count(text, "not decided") + count(text, "not answered");
    }

    @Test
    void rendersWhileTheImportStillCountsRejectionsOfNewProblemTypes() throws Exception {
        // given: imports that go on counting events rejected for problems not seen before, as one does while the
        // shutdown hook of a SIGTERM renders its summary; each import counts 200 of them, then the next one starts
        AtomicReference<ImportSummary> current = new AtomicReference<>(new ImportSummary());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        Future<?> reading = reader.submit(() -> {
            for (int i = 0; !stop.get(); i++) {
                if (i % 200 == 0) {
                    current.set(new ImportSummary());
                }
                current.get().read(new UnusableEvent("c" + i, 1, "problem-" + i, "the event is unusable", i));
            }
        });

        // when: the summary of the import going on is rendered meanwhile, again and again
        List<RuntimeException> failures = new ArrayList<>();
        try {
            for (int render = 0; render < 300; render++) {
                try {
                    current.get().render(Duration.ofSeconds(1));
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
        } finally {
            stop.set(true);
            reader.shutdown();
        }

        // then
        reading.get();
        assertThat(failures).isEmpty();
    }

    /** The number that follows {@code label} at the start of a line of a rendered summary. */
    private static long count(String text, String label) {
        Matcher line = Pattern.compile("(?m)^" + label + " +([0-9,]+)").matcher(text);
        assertThat(line.find()).as(label).isTrue();
        return Long.parseLong(line.group(1).replace(",", ""));
    }

    @Test
    void countsRejectionsPerProblemWithAFewExamples() {
        // given 5 events read, one unusable, and answers rejecting four of the rest as invalid
        ImportSummary summary = new ImportSummary();
        summary.read(new UnusableEvent("c0", 1, UnusableEvent.MISSING_TIMESTAMP, "the event has no time:timestamp", 3));
        List<LineResult> results = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            PendingCommand command = command("c" + i, 1, 10L * i);
            summary.read(command.event());
            results.add(
                    i == 1
                            ? LineResult.accepted(command)
                            : LineResult.rejected(command, new Problem("invalid-command", "/aggregateId bad")));
        }

        // when
        summary.sent(results.size());
        summary.answered(new BatchAnswer(
                new Batch(results.stream().map(LineResult::command).toList()), results, 1));
        String text = summary.render(Duration.ofSeconds(3));

        // then
        assertThat(summary.readCount()).isEqualTo(6);
        assertThat(summary.sentCount()).isEqualTo(5);
        assertThat(summary.acceptedCount()).isEqualTo(1);
        assertThat(summary.rejectedCount()).isEqualTo(5);
        assertThat(summary.caseCount()).isEqualTo(6);
        assertThat(summary.rejectionsByProblem())
                .containsExactly(Map.entry("invalid-command", 4L), Map.entry("missing-timestamp", 1L));
        assertThat(text)
                .contains("rejected  5 (1 locally, 4 by the command service)")
                .contains("e.g. line 20, case 'c2' event 1: /aggregateId bad")
                .contains("e.g. line 3, case 'c0' event 1: the event has no time:timestamp (not sent)")
                .doesNotContain("case 'c5'");
    }

    @Test
    void countsPendingCommandsAsNotDecidedNamingEach() {
        // given two events, the second still pending after the batch's 4 attempts
        ImportSummary summary = new ImportSummary();
        PendingCommand decided = command("c1", 1, 7);
        PendingCommand undecided = command("c1", 2, 8);
        summary.read(decided.event());
        summary.read(undecided.event());
        List<LineResult> results = List.of(LineResult.accepted(decided), LineResult.pending(undecided));

        // when
        summary.sent(2);
        summary.answered(new BatchAnswer(new Batch(List.of(decided, undecided)), results, 4));
        String text = summary.render(Duration.ofSeconds(1));

        // then
        assertThat(summary.sentCount()).isEqualTo(2);
        assertThat(summary.acceptedCount()).isEqualTo(1);
        assertThat(summary.rejectedCount()).isZero();
        assertThat(summary.undecidedCount()).isEqualTo(1);
        assertThat(text)
                .contains("rejected  0")
                .contains("not decided 1 (in Kafka")
                .contains("not answered 0")
                .contains("e.g. line 8, case 'c1' event 2: command c12, still pending after 4 attempts")
                .doesNotContain("case 'c1' event 1");
    }

    @Test
    void countsCommandsSentWithoutAFinalAnswerAsSentAndNotAnswered() {
        // given two batches of 3 sent, the first answered (accepted, rejected, pending), the second never
        ImportSummary summary = new ImportSummary();
        List<PendingCommand> first = List.of(command("c1", 1, 1), command("c2", 1, 2), command("c3", 1, 3));
        List<PendingCommand> second = List.of(command("c4", 1, 4), command("c5", 1, 5), command("c6", 1, 6));
        first.forEach(command -> summary.read(command.event()));
        second.forEach(command -> summary.read(command.event()));
        List<LineResult> results = List.of(
                LineResult.accepted(first.get(0)),
                LineResult.rejected(first.get(1), new Problem("invalid-command", "/payload bad")),
                LineResult.pending(first.get(2)));

        // when
        summary.sent(first.size());
        summary.sent(second.size());
        summary.answered(new BatchAnswer(new Batch(first), results, 6));
        String text = summary.render(Duration.ofSeconds(2));

        // then
        assertThat(summary.sentCount()).isEqualTo(6);
        assertThat(summary.notAnsweredCount()).isEqualTo(3);
        assertThat(text)
                .contains("sent      6 commands in 2.0s (3 commands/s)")
                .contains("accepted  1")
                .contains("rejected  1 (0 locally, 1 by the command service)")
                .contains("not decided 1 (in Kafka")
                .contains("not answered 3 (sent, but no final answer came");
    }
}
