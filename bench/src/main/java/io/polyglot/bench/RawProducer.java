package io.polyglot.bench;

import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.Limits;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The raw side of the ingest and decide stages: a plain {@link KafkaProducer} with {@code acks=all} and idempotence
 * (the project's producer defaults, nothing tuned) sending the sampled records to a fresh topic.
 */
final class RawProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final RecordSample sample;
    private final String topic;
    private final Supplier<CpuUse.Window> cpuWindows;
    private long next;

    /**
     * @param cpuWindows starts a window over the machine's CPU, so that the measured part of a run reports how busy
     *     the machine was while the raw side ran
     */
    RawProducer(String bootstrap, String topic, RecordSample sample, Supplier<CpuUse.Window> cpuWindows) {
        // The timeouts differ from the defaults so that a broker that stops answering fails the stage in 30 s
        // instead of two minutes; they do not change how fast records go out. linger.ms is the command service's
        // (0), so that the pair compares the same producer settings.
        Map<String, Object> settings =
                Map.of("request.timeout.ms", 10_000, "delivery.timeout.ms", 30_000, "linger.ms", 0);
        this.producer =
                new KafkaProducer<>(KafkaClientConfig.producer(bootstrap, Limits.DEFAULT_COMMAND_MAX_BYTES, settings));
        this.sample = sample;
        this.topic = topic;
        this.cpuWindows = cpuWindows;
    }

    /** Records acknowledged per second, sending as fast as the producer takes them for {@code duration}. */
    double throughput(Duration duration) {
        LongAdder acked = new LongAdder();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 100; i++) {
                producer.send(sample.record(topic, next++), (metadata, error) -> {
                    if (error == null) {
                        acked.increment();
                    } else {
                        failure.compareAndSet(null, error);
                    }
                });
            }
        }
        producer.flush();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
            throw new StageFailedException("the raw producer failed: " + failure.get(), failure.get());
        }
        return acked.sum() / seconds;
    }

    /** Send-to-acknowledgement latency at a fixed rate, from each record's due time. */
    OpenLoop.Latencies latency(int ratePerSecond, Duration duration) throws InterruptedException {
        return new OpenLoop(ratePerSecond, 4_096).run(duration, due -> {
            CompletableFuture<OpenLoop.Outcome> acked = new CompletableFuture<>();
            producer.send(
                    sample.record(topic, next++),
                    (metadata, error) ->
                            acked.complete(error == null ? OpenLoop.Outcome.ANSWERED : OpenLoop.Outcome.FAILED));
            return acked;
        });
    }

    /**
     * Warms up, then puts {@code raw produced} (records/s), how busy the machine was meanwhile ({@code raw produced:
     * machine busy}) and {@code raw record size} into {@code figures}.
     */
    void putThroughput(Pace pace, Map<String, Figure> figures) {
        throughput(pace.warmup());
        CpuUse.Window window = cpuWindows.get();
        figures.put("raw produced", new Figure(throughput(pace.measure()), "records/s"));
        window.end().putMachineInto(figures, "raw produced: ");
        figures.putIfAbsent("raw record size", recordSize());
    }

    /**
     * Warms up, then puts the send-to-ack latencies at {@code ratePerSecond}, how busy the machine was meanwhile
     * ({@code raw send-to-ack: machine busy}) and the record size into {@code figures}.
     */
    void putLatency(int ratePerSecond, Pace pace, Map<String, Figure> figures) throws InterruptedException {
        latency(ratePerSecond, pace.warmup());
        CpuUse.Window window = cpuWindows.get();
        latency(ratePerSecond, pace.measure()).putInto(figures, "raw send-to-ack");
        window.end().putMachineInto(figures, "raw send-to-ack: ");
        figures.putIfAbsent("raw record size", recordSize());
    }

    /** The mean size of the records it sends, key and value. */
    Figure recordSize() {
        return new Figure(sample.meanBytes(), "bytes");
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
