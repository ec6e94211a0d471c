package io.polyglot.importer.delivery;

import io.polyglot.importer.command.Batch;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Keeps up to {@code maxInFlight} batches in flight while preserving each case's order: a batch that holds an event of
 * a case still in flight in an earlier batch waits until that batch has its final answer, retries included. With one
 * batch in flight the batches simply go one after the other.
 *
 * <p>Answers are handed to {@code onAnswer} on the thread that calls {@link #submit} and {@link #drain}, so the
 * consumer needs no locking of its own.
 */
public final class SendWindow implements AutoCloseable {

    private final int maxInFlight;
    private final BatchSender sender;
    private final Consumer<BatchAnswer> onAnswer;
    private final ExecutorService senders;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();

    /**
     * @param maxInFlight how many batches may wait for their answers at once, at least 1
     * @param sender what sends one batch
     * @param onAnswer what takes each final answer
     */
    public SendWindow(int maxInFlight, BatchSender sender, Consumer<BatchAnswer> onAnswer) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, not " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
        this.sender = sender;
        this.onAnswer = onAnswer;
        this.senders = Executors.newFixedThreadPool(maxInFlight, runnable -> {
            Thread thread = new Thread(runnable, "batch-sender");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts sending a batch once the window has room and no batch in flight holds one of its cases; blocks until then.
     *
     * @throws CommandServiceException when a batch in flight failed for good; no further batch is started
     */
    public void submit(Batch batch) throws CommandServiceException, InterruptedException {
        Set<String> cases = batch.cases();
        collectFinished();
        while (inFlight.size() >= maxInFlight || sharesACase(cases)) {
            await(inFlight.peekFirst());
        }
        Future<BatchAnswer> answer = senders.submit(() -> sender.send(batch));
        inFlight.addLast(new InFlight(cases, answer));
    }

    /**
     * Waits for every batch in flight.
     *
     * @throws CommandServiceException when one of them failed for good (after all others have been answered)
     */
    public void drain() throws CommandServiceException, InterruptedException {
        CommandServiceException firstFailure = null;
        while (!inFlight.isEmpty()) {
            try {
                await(inFlight.peekFirst());
            } catch (CommandServiceException e) {
                firstFailure = firstFailure == null ? e : firstFailure;
            }
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
    }

    /** Stops the sender threads; a batch still in flight is abandoned. */
    @Override
    public void close() {
        senders.shutdownNow();
    }

    private boolean sharesACase(Set<String> cases) {
        for (InFlight batch : inFlight) {
            if (!Collections.disjoint(batch.cases(), cases)) {
                return true;
            }
        }
        return false;
    }

    private void collectFinished() throws CommandServiceException, InterruptedException {
        Iterator<InFlight> batches = inFlight.iterator();
        while (batches.hasNext()) {
            InFlight batch = batches.next();
            if (batch.answer().isDone()) {
                batches.remove();
                deliver(batch);
            }
        }
    }

    private void await(InFlight batch) throws CommandServiceException, InterruptedException {
        inFlight.remove(batch);
        deliver(batch);
    }

    private void deliver(InFlight batch) throws CommandServiceException, InterruptedException {
        try {
            onAnswer.accept(batch.answer().get());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CommandServiceException failure) {
                throw failure;
            }
            if (e.getCause() instanceof RuntimeException unexpected) {
                throw unexpected;
            }
            throw new IllegalStateException("sending a batch failed", e.getCause());
        }
    }

    private record InFlight(Set<String> cases, Future<BatchAnswer> answer) {}
}
