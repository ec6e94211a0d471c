package io.polyglot.dashboard.overview;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.sse.SseClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the overview every {@code period} on one thread: the processes' health, each group's lag, and, less often,
 * the archive. It keeps the samples of the last {@code window} (time, events per second appended to
 * {@code events.all}, each group's total lag) for the charts, and sends each new sample to every browser subscribed
 * to the server-sent events. Requests only ever read the latest snapshot, so no page waits on Kafka or S3.
 */
public final class OverviewSampler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OverviewSampler.class);
    private static final int ARCHIVE_EVERY = 5;

    private final ProcessProbe processes;
    private final Supplier<ConsumerLag> lagFactory;
    private final ArchiveSummary archive;
    private final Clock clock;
    private final Duration window;
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread named = new Thread(runnable, "overview-sampler");
        named.setDaemon(true);
        return named;
    });
    private final ArrayDeque<Map<String, Object>> samples = new ArrayDeque<>();
    private final Set<SseClient> subscribers = ConcurrentHashMap.newKeySet();
    private volatile Map<String, Object> snapshot = Map.of("sampledAt", "never");
    private ConsumerLag lag;
    private List<ArchiveSummary.TypeSummary> archiveTypes = List.of();
    private String archiveProblem;
    private long rounds;
    private Instant previousTime;
    private long previousEnd = -1;

    OverviewSampler(
            ProcessProbe processes,
            Supplier<ConsumerLag> lagFactory,
            ArchiveSummary archive,
            Clock clock,
            Duration window) {
        this.processes = processes;
        this.lagFactory = lagFactory;
        this.archive = archive;
        this.clock = clock;
        this.window = window;
    }

    /** Starts sampling every {@code period}. */
    void start(Duration period) {
        thread.scheduleWithFixedDelay(this::sampleSafely, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The latest overview: processes, lag per group and partition, the archive, and the samples of the window. */
    public Map<String, Object> snapshot() {
        return snapshot;
    }

    /** Sends every later sample to {@code client} until it goes away. */
    public void subscribe(SseClient client) {
        client.keepAlive();
        client.onClose(() -> subscribers.remove(client));
        subscribers.add(client);
        synchronized (samples) {
            for (Map<String, Object> sample : samples) {
                send(client, sample);
            }
        }
    }

    private void sampleSafely() {
        try {
            sample();
        } catch (RuntimeException e) {
            log.warn("The overview could not be sampled", e);
        }
    }

    private void sample() {
        Instant now = clock.instant();
        Map<String, Object> next = new LinkedHashMap<>();
        next.put("sampledAt", now.toString());
        next.put("processes", processes.probe());
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("time", now.toEpochMilli());
        try {
            if (lag == null) {
                lag = lagFactory.get();
            }
            ConsumerLag.Snapshot lags = lag.read();
            next.put("lag", lags.partitions());
            long end = lags.endOffsets().values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
            if (previousEnd >= 0) {
                double seconds =
                        Math.max(0.001, Duration.between(previousTime, now).toMillis() / 1000.0);
                sample.put("eventsPerSecond", Math.max(0, end - previousEnd) / seconds);
            }
            previousEnd = end;
            previousTime = now;
            Map<String, Long> totals = new LinkedHashMap<>();
            for (ConsumerLag.PartitionLag partition : lags.partitions()) {
                totals.merge(partition.group(), partition.lag(), Long::sum);
            }
            sample.put("lag", totals);
        } catch (Exception e) {
            log.debug("The lag could not be read", e);
            next.put("lagProblem", "Kafka or PostgreSQL did not answer: " + e.getMessage());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        if (rounds++ % ARCHIVE_EVERY == 0) {
            readArchive();
        }
        next.put("archive", archiveTypes);
        if (archiveProblem != null) {
            next.put("archiveProblem", archiveProblem);
        }
        synchronized (samples) {
            samples.addLast(sample);
            while (!samples.isEmpty()
                    && (long) samples.peekFirst().get("time")
                            < now.minus(window).toEpochMilli()) {
                samples.removeFirst();
            }
            next.put("samples", List.copyOf(samples));
        }
        snapshot = Map.copyOf(next);
        for (SseClient client : subscribers) {
            send(client, sample);
        }
    }

    private void readArchive() {
        try {
            archiveTypes = archive.read();
            archiveProblem = null;
        } catch (RuntimeException e) {
            log.debug("The archive could not be read", e);
            archiveProblem = "the archive store did not answer: " + e.getMessage();
        }
    }

    private void send(SseClient client, Map<String, Object> sample) {
        try {
            client.sendEvent("sample", json.writeValueAsString(sample));
        } catch (Exception e) {
            subscribers.remove(client);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (lag != null) {
            lag.close();
        }
        archive.close();
    }
}
