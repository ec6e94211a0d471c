package io.polyglot.command.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.command.intake.CommandLog;
import io.polyglot.command.intake.CommandPosition;
import io.polyglot.command.intake.Intake;
import io.polyglot.command.intake.Problem;
import io.polyglot.command.intake.ProblemType;
import io.polyglot.runtime.KafkaUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The order in which the lines of one batch reach the command log. The log here is scripted, not Kafka: the failure
 * that matters, one producer batch expiring while a later one of the same partition is stored, cannot be brought
 * about on demand with a real broker. The chaos run meets it with a real one.
 */
class OrderedSendsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ScriptedLog log = new ScriptedLog();

    @Test
    void sendsTheNextLineOfAnAggregateOnlyOnceTheLineBeforeIsStored() {
        List<Intake> lines =
                List.of(line("a1", "A"), line("b1", "B"), line("a2", "A"), line("b2", "B"), line("a3", "A"));
        CompletableFuture<List<CompletableFuture<CommandPosition>>> batch = sendInBackground(lines, TIMEOUT);

        await().atMost(TIMEOUT).until(() -> log.sent().size() == 2);
        assertThat(log.sent())
                .as("the first line of each aggregate goes out at once")
                .containsExactly("a1", "b1");

        log.ack("b1");
        await().atMost(TIMEOUT).until(() -> log.sent().contains("b2"));
        assertThat(log.sent()).as("a2 waits for a1").doesNotContain("a2");

        log.ack("a1");
        await().atMost(TIMEOUT).until(() -> log.sent().contains("a2"));
        log.ack("a2");
        await().atMost(TIMEOUT).until(() -> log.sent().contains("a3"));
        log.ack("a3");
        log.ack("b2");

        List<CompletableFuture<CommandPosition>> acks = batch.join();
        assertThat(log.sent()).containsExactly("a1", "b1", "b2", "a2", "a3");
        assertThat(acks).allSatisfy(ack -> assertThat(ack).isCompleted());
    }

    @Test
    void doesNotSendTheLaterLinesOfAnAggregateWhoseLineFailed() {
        List<Intake> lines = List.of(line("a1", "A"), line("b1", "B"), line("a2", "A"), line("a3", "A"));
        CompletableFuture<List<CompletableFuture<CommandPosition>>> batch = sendInBackground(lines, TIMEOUT);

        await().atMost(TIMEOUT).until(() -> log.sent().size() == 2);
        log.fail("a1");
        log.ack("b1");

        List<CompletableFuture<CommandPosition>> acks = batch.join();
        assertThat(log.sent()).as("a2 and a3 never reach Kafka").containsExactly("a1", "b1");
        assertThat(acks.get(1)).isCompleted();
        for (int failed : List.of(0, 2, 3)) {
            assertThat(causeOf(acks.get(failed))).isInstanceOf(KafkaUnavailableException.class);
        }
        assertThat(causeOf(acks.get(2))).hasMessageContaining("an earlier line of the same aggregate");
    }

    @Test
    void sendsNothingMoreOnceASendFailsAtOnce() {
        log.refuseAtOnce("a1");
        List<Intake> lines = List.of(line("a1", "A"), line("b1", "B"), line("c1", "C"));

        List<CompletableFuture<CommandPosition>> acks =
                OrderedSends.send(log, lines, Deadline.after(Clock.systemUTC(), TIMEOUT));

        assertThat(log.sent()).containsExactly("a1");
        assertThat(acks).allSatisfy(ack -> assertThat(causeOf(ack)).isInstanceOf(KafkaUnavailableException.class));
    }

    @Test
    void answersWithinTheDeadlineAndSendsNoLaterLineOfAnUnacknowledgedOne() {
        List<Intake> lines = List.of(line("a1", "A"), line("a2", "A"), line("b1", "B"));
        Duration deadline = Duration.ofMillis(300);

        List<CompletableFuture<CommandPosition>> acks =
                OrderedSends.send(log, lines, Deadline.after(Clock.systemUTC(), deadline));

        assertThat(log.sent()).containsExactly("a1", "b1");
        assertThat(acks.get(0)).as("a1 is still waiting for Kafka").isNotDone();
        assertThat(acks.get(2)).isNotDone();
        assertThat(causeOf(acks.get(1))).hasMessageContaining("did not acknowledge the earlier lines in time");

        log.ack("a1");
        assertThat(log.sent())
                .as("a1's late acknowledgement sends nothing more")
                .containsExactly("a1", "b1");
    }

    @Test
    void leavesRefusedLinesOut() {
        Intake refused =
                new Intake.Rejected(Optional.of("x1"), "unknown", Problem.of(ProblemType.INVALID_COMMAND, "refused"));
        List<Intake> lines = List.of(line("a1", "A"), refused, line("a2", "A"));
        CompletableFuture<List<CompletableFuture<CommandPosition>>> batch = sendInBackground(lines, TIMEOUT);

        await().atMost(TIMEOUT).until(() -> log.sent().size() == 1);
        log.ack("a1");
        await().atMost(TIMEOUT).until(() -> log.sent().size() == 2);
        log.ack("a2");

        List<CompletableFuture<CommandPosition>> acks = batch.join();
        assertThat(acks.get(1)).isNull();
        assertThat(log.sent()).containsExactly("a1", "a2");
    }

    private CompletableFuture<List<CompletableFuture<CommandPosition>>> sendInBackground(
            List<Intake> lines, Duration timeout) {
        Deadline deadline = Deadline.after(Clock.systemUTC(), timeout);
        return CompletableFuture.supplyAsync(() -> OrderedSends.send(log, lines, deadline));
    }

    private static Intake.Accepted line(String commandId, String aggregateId) {
        return new Intake.Accepted(
                commandId,
                "RecordActivity",
                "Case",
                aggregateId,
                Optional.empty(),
                "hash-" + commandId,
                "sent-hash-" + commandId,
                List.of());
    }

    private static Throwable causeOf(CompletableFuture<CommandPosition> ack) {
        assertThat(ack).isCompletedExceptionally();
        try {
            ack.join();
            throw new AssertionError("expected a failed future");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    /** A command log whose acknowledgements the test gives, one command at a time. */
    private static final class ScriptedLog implements CommandLog {

        private final List<String> sent = new CopyOnWriteArrayList<>();
        private final Map<String, CompletableFuture<CommandPosition>> acks = new ConcurrentHashMap<>();
        private final List<String> refusedAtOnce = new ArrayList<>();

        @Override
        public CompletableFuture<CommandPosition> append(Intake.Accepted command) {
            sent.add(command.id());
            if (refusedAtOnce.contains(command.id())) {
                return CompletableFuture.failedFuture(new KafkaUnavailableException("no broker", null));
            }
            return acks.computeIfAbsent(command.id(), id -> new CompletableFuture<>());
        }

        List<String> sent() {
            return List.copyOf(sent);
        }

        void ack(String commandId) {
            acks.get(commandId).complete(new CommandPosition(0, sent.indexOf(commandId)));
        }

        void fail(String commandId) {
            acks.get(commandId).completeExceptionally(new KafkaUnavailableException("batch expired", null));
        }

        void refuseAtOnce(String commandId) {
            refusedAtOnce.add(commandId);
        }
    }
}
