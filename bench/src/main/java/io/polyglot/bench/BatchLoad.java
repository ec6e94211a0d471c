package io.polyglot.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Batches posted back to back by a few concurrent senders for a while (closed loop: throughput, not latency). The
 * run ends when the last batch begun before the deadline is answered, and the rate counts to that moment.
 */
final class BatchLoad {
    private final CommandClient client;
    private final int senders;
    private final int linesPerBatch;

    BatchLoad(CommandClient client, int senders, int linesPerBatch) {
        this.client = client;
        this.senders = senders;
        this.linesPerBatch = linesPerBatch;
    }

    /** What the batches of one run came to, and how long it took. */
    record Result(CommandClient.BatchCounts counts, double seconds) {
        double perSecond(long lines) {
            return lines / seconds;
        }
    }

    /**
     * Runs the senders for {@code duration}; sender i takes its commands from {@code linesOfSender.apply(i)}, so the
     * events of one case go out in order, one batch after the other, and concurrent batches never reorder a case.
     */
    Result run(IntFunction<CommandLines> linesOfSender, boolean async, Duration duration) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(senders, runnable -> {
            Thread thread = new Thread(runnable, "bench-batch");
            thread.setDaemon(true);
            return thread;
        });
        try {
            long start = System.nanoTime();
            long deadline = start + duration.toNanos();
            List<Future<CommandClient.BatchCounts>> running = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                CommandLines lines = linesOfSender.apply(i);
                running.add(pool.submit(() -> sendUntil(deadline, lines, async)));
            }
            CommandClient.BatchCounts total = CommandClient.BatchCounts.NONE;
            for (Future<CommandClient.BatchCounts> sender : running) {
                total = total.plus(answerOf(sender));
            }
            return new Result(total, (System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private CommandClient.BatchCounts sendUntil(long deadline, CommandLines lines, boolean async)
            throws IOException, InterruptedException {
        CommandClient.BatchCounts counts = CommandClient.BatchCounts.NONE;
        while (System.nanoTime() < deadline) {
            counts = counts.plus(client.sendBatch(lines.nextBatch(linesPerBatch), linesPerBatch, async));
        }
        return counts;
    }

    private static CommandClient.BatchCounts answerOf(Future<CommandClient.BatchCounts> sender)
            throws InterruptedException {
        try {
            return sender.get();
        } catch (ExecutionException e) {
            throw new StageFailedException("a batch sender failed: " + e.getCause(), e.getCause());
        }
    }
}
