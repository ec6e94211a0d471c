package io.polyglot.command.http;

import io.polyglot.command.intake.CommandLog;
import io.polyglot.command.intake.CommandPosition;
import io.polyglot.command.intake.Intake;
import io.polyglot.runtime.KafkaUnavailableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends the accepted lines of one batch to the command log, keeping each aggregate's lines in the batch's order: a
 * line is sent only once every earlier line of its aggregate is stored, and is not sent at all when one of them
 * failed. Lines of different aggregates go out without waiting for one another.
 *
 * <p>Kafka keeps the order of one producer's records to a partition only while none of them fails: a producer batch
 * that expires while the broker restarts fails, and a later one sent once the broker is back is stored. Had both lines
 * been sent at once, the client would resend the failed line and find it recorded after the line that followed it.
 *
 * <p>Everything is sent from the request's own thread: acknowledgements arrive on the producer's thread, which only
 * queues the next line of the aggregate, so no producer call is ever made from a producer callback.
 */
final class OrderedSends {

    private final CommandLog log;
    private final Deadline deadline;
    private final List<Intake> outcomes;
    /** Per line, the index of the next line of the same aggregate, or -1. */
    private final int[] next;

    private final List<CompletableFuture<CommandPosition>> acks;
    private final BlockingQueue<Step> ready = new LinkedBlockingQueue<>();
    private int unsettled;
    private boolean stopped;

    /** A line whose earlier lines of the aggregate are all settled; {@code earlierFailed} when one was not stored. */
    private record Step(int line, boolean earlierFailed) {}

    private OrderedSends(CommandLog log, List<Intake> outcomes, Deadline deadline) {
        this.log = log;
        this.outcomes = outcomes;
        this.deadline = deadline;
        this.next = new int[outcomes.size()];
        Arrays.fill(next, -1);
        this.acks = new ArrayList<>(Collections.nCopies(outcomes.size(), null));
    }

    /**
     * Sends every accepted line and waits, at most until the deadline, for the acknowledgements. The result has one
     * element per line: null for a refused line, else a future that completes with where Kafka stored the line, or
     * fails with {@link KafkaUnavailableException} when it was not sent. A future still incomplete when this returns
     * was not acknowledged in time. Once a send fails at once (Kafka unreachable) or the deadline passes, no further
     * line is sent.
     */
    static List<CompletableFuture<CommandPosition>> send(CommandLog log, List<Intake> outcomes, Deadline deadline) {
        return new OrderedSends(log, outcomes, deadline).run();
    }

    private List<CompletableFuture<CommandPosition>> run() {
        Map<String, Integer> lastOfAggregate = new HashMap<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof Intake.Accepted accepted) {
                unsettled++;
                Integer earlier = lastOfAggregate.put(accepted.aggregateId(), i);
                if (earlier == null) {
                    ready.add(new Step(i, false));
                } else {
                    next[earlier] = i;
                }
            }
        }
        try {
            while (unsettled > 0) {
                Step step = ready.poll(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
                if (step == null) {
                    break;
                }
                take(step);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<CompletableFuture<CommandPosition>> sent = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof Intake.Accepted && acks.get(i) == null) {
                acks.set(i, notSent("not sent: Kafka did not acknowledge the earlier lines in time"));
            } else if (acks.get(i) != null && !acks.get(i).isDone()) {
                sent.add(acks.get(i));
            }
        }
        awaitAll(sent);
        return acks;
    }

    private void take(Step step) {
        int line = step.line();
        unsettled--;
        if (step.earlierFailed()) {
            acks.set(line, notSent("not sent: an earlier line of the same aggregate was not stored"));
            forward(line, true);
            return;
        }
        if (stopped || deadline.expired()) {
            acks.set(line, notSent("not sent: Kafka did not answer within the request timeout"));
            forward(line, true);
            return;
        }
        CompletableFuture<CommandPosition> ack = log.append((Intake.Accepted) outcomes.get(line));
        acks.set(line, ack);
        if (ack.isCompletedExceptionally()) {
            stopped = true;
        }
        if (next[line] >= 0) {
            ack.whenComplete((done, error) -> forward(line, error != null));
        }
    }

    private void forward(int line, boolean failed) {
        if (next[line] >= 0) {
            ready.add(new Step(next[line], failed));
        }
    }

    private void awaitAll(List<CompletableFuture<CommandPosition>> sent) {
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture<?>[]::new))
                    .get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // A failed or late line is told apart from its own future.
        }
    }

    private static CompletableFuture<CommandPosition> notSent(String detail) {
        return CompletableFuture.failedFuture(new KafkaUnavailableException(detail, null));
    }
}
