package io.polyglot.command.kafka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Kafka answers for a topic right now: a background probe describes the topic every interval, so that
 * {@code /health/ready} answers at once and turns 503 within about one interval of Kafka becoming unreachable.
 */
public final class KafkaReadiness implements BooleanSupplier, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaReadiness.class);

    private final Admin admin;
    private final String topic;
    private final Duration interval;
    private final AtomicBoolean reachable = new AtomicBoolean(false);
    private final ScheduledExecutorService probe = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kafka-readiness");
        thread.setDaemon(true);
        return thread;
    });

    public KafkaReadiness(Admin admin, String topic, Duration interval) {
        this.admin = admin;
        this.topic = topic;
        this.interval = interval;
    }

    /** Probes once now, then every interval. */
    public KafkaReadiness start() {
        probeOnce();
        probe.scheduleWithFixedDelay(this::probeOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public boolean getAsBoolean() {
        return reachable.get();
    }

    private void probeOnce() {
        int timeoutMs = (int) Math.max(1, interval.toMillis());
        boolean now;
        try {
            admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(timeoutMs))
                    .allTopicNames()
                    .get(timeoutMs + 1_000L, TimeUnit.MILLISECONDS);
            now = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            log.debug("Kafka readiness probe failed (topic={})", topic, e);
            now = false;
        }
        if (reachable.getAndSet(now) != now) {
            if (now) {
                log.info("Kafka is reachable (topic={})", topic);
            } else {
                log.warn("Kafka is unreachable (topic={})", topic);
            }
        }
    }

    @Override
    public void close() {
        probe.shutdownNow();
    }
}
