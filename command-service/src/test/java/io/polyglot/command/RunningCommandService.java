package io.polyglot.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.EventEnvelope;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A real Kafka broker on a random loopback port and the command service in this JVM in front of it, with the HTTP
 * and Kafka clients the tests talk to them through. One per test class.
 */
final class RunningCommandService implements AutoCloseable {

    private static final Duration READ_LIMIT = Duration.ofSeconds(30);

    /**
     * For a consumer that reads a topic up to offsets known beforehand: a fetch that finds nothing answers at once
     * instead of after the default half second.
     */
    private static final Map<String, Object> READ_QUICKLY = Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);

    static final ObjectMapper JSON = new ObjectMapper();

    final TestKafka broker;
    final CommandService service;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Admin admin;
    /** The service's POLYGLOT_TOKEN, sent with every request of the helpers below when the test set one. */
    private final String token;

    private RunningCommandService(TestKafka broker, CommandService service, Admin admin, String token) {
        this.broker = broker;
        this.service = service;
        this.admin = admin;
        this.token = token;
    }

    /** Starts a broker in {@code dataDir} and the service with {@code env} on top of the test defaults. */
    static RunningCommandService start(Path dataDir, Map<String, String> env) {
        return start(TestServers.kafka(dataDir.resolve("kafka")), dataDir, env);
    }

    /**
     * Starts the service in front of {@code broker}, already running, with {@code env} on top of the test defaults;
     * closing the result closes the broker too.
     */
    static RunningCommandService start(TestKafka broker, Path dataDir, Map<String, String> env) {
        return start(broker, dataDir, env, Clock.systemUTC());
    }

    /** Starts a broker in {@code dataDir} and the service with {@code env}, reading time from {@code clock}. */
    static RunningCommandService start(Path dataDir, Map<String, String> env, Clock clock) {
        return start(TestServers.kafka(dataDir.resolve("kafka")), dataDir, env, clock);
    }

    private static RunningCommandService start(TestKafka broker, Path dataDir, Map<String, String> env, Clock clock) {
        try {
            Map<String, String> settings = new HashMap<>();
            settings.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            settings.put("HTTP_PORT", "0");
            settings.put("TOPIC_PARTITIONS", "3");
            settings.put("DECIDER_STATE_DIR", dataDir.resolve("decider").toString());
            settings.putAll(env);
            CommandService service = CommandService.start(CommandServiceConfig.from(settings), clock);
            Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
            return new RunningCommandService(broker, service, admin, settings.get("POLYGLOT_TOKEN"));
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + service.port() + path);
    }

    HttpResponse<String> post(String path, String contentType, String body) {
        return send(authorized(HttpRequest.newBuilder(uri(path)))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    HttpResponse<String> postJson(String body) {
        return post("/v1/commands", "application/json", body);
    }

    HttpResponse<String> get(String path) {
        return send(authorized(HttpRequest.newBuilder(uri(path)))
                .timeout(Duration.ofSeconds(60))
                .GET()
                .build());
    }

    /** {@code request} with the service's bearer token, when it has one. */
    HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    /** One JSON document, such as a line of a batch's answer. */
    static JsonNode json(String document) {
        try {
            return JSON.readTree(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How many records a read-committed consumer finds in {@code topic}: unlike end offsets, this does not count the
     * markers that the decider's transactions leave in the log.
     */
    long committedCount(String topic) {
        Map<String, Object> config = KafkaClientConfig.consumer(
                broker.bootstrapServers(), "test-counter-" + UUID.randomUUID(), READ_QUICKLY);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long[] count = {0};
            readToEnd(consumer, partitions, ends, record -> count[0]++);
            return count[0];
        }
    }

    /** Every event of {@code events.all} that a read-committed consumer finds up to the end offsets of now, decoded. */
    List<EventEnvelope> events() {
        return events(broker.bootstrapServers());
    }

    /** Every event of {@code events.all} at {@code bootstrapServers}, read committed up to the end offsets of now. */
    static List<EventEnvelope> events(String bootstrapServers) {
        Map<String, Object> config =
                KafkaClientConfig.consumer(bootstrapServers, "test-events-" + UUID.randomUUID(), READ_QUICKLY);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS_ALL).stream()
                    .map(p -> new TopicPartition(Topics.EVENTS_ALL, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            EventCodec codec = EventCodec.standard();
            List<EventEnvelope> events = new ArrayList<>();
            readToEnd(consumer, partitions, ends, record -> events.add(codec.decode(record.value())));
            return events;
        }
    }

    /**
     * Polls {@code consumer} until each of {@code partitions} is read up to its offset in {@code ends}, handing each
     * record to {@code sink}. A short poll in a plain loop: the positions are checked as soon as a fetch returns.
     */
    private static void readToEnd(
            KafkaConsumer<byte[], byte[]> consumer,
            List<TopicPartition> partitions,
            Map<TopicPartition, Long> ends,
            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        long deadline = System.nanoTime() + READ_LIMIT.toNanos();
        while (!partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p))) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not read up to " + ends + " within " + READ_LIMIT);
            }
            consumer.poll(Duration.ofMillis(20)).forEach(sink);
        }
    }

    /** Every record of {@code topic} from the start, once there are at least {@code atLeast}; in partition order. */
    List<ConsumerRecord<byte[], byte[]>> records(String topic, int atLeast) {
        Map<String, Object> config =
                KafkaClientConfig.consumer(broker.bootstrapServers(), "test-reader-" + UUID.randomUUID(), READ_QUICKLY);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + READ_LIMIT.toNanos();
            while (records.size() < atLeast) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(
                            records.size() + " records of " + topic + " within " + READ_LIMIT + ", not " + atLeast);
                }
                consumer.poll(Duration.ofMillis(20)).forEach(records::add);
            }
            return records;
        }
    }

    @Override
    public void close() {
        try {
            admin.close(Duration.ofSeconds(5));
            service.close();
        } finally {
            broker.close();
        }
    }
}
