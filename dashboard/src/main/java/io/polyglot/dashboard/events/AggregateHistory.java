package io.polyglot.dashboard.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.dashboard.views.BadParameterException;
import io.polyglot.schemas.Names;
import io.polyglot.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * {@code GET /api/aggregates/{type}/{id}}: an aggregate's head state as the command service answers it, and its events
 * in version order. The events come from the aggregate's partition of {@code events.all}, the one Kafka's default
 * partitioner gives its key (murmur2 of the id's UTF-8 bytes, as the producers use it), read committed from the start,
 * keeping the records whose key is the id; at most {@code maxRecords} records are read, within the reader's timeout,
 * and the answer says when the read stopped short. Records with the id as key that cannot be decoded are listed apart.
 */
public final class AggregateHistory {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TopicReader reader;
    private final RecordJson records;
    private final String commandUrl;
    private final String token;
    private final long maxRecords;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param commandUrl the command service's base URL
     * @param token the bearer token it wants; empty when it runs open
     * @param maxRecords the most records of the partition one lookup reads
     */
    public AggregateHistory(
            TopicReader reader,
            RecordJson records,
            String commandUrl,
            String token,
            long maxRecords,
            Duration timeout) {
        this.reader = reader;
        this.records = records;
        this.commandUrl = commandUrl;
        this.token = token;
        this.maxRecords = maxRecords;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /**
     * The head state and the events of the aggregate.
     *
     * @throws BadParameterException when the type or the id breaks the name rules
     */
    public ObjectNode history(String type, String id) {
        Names.aggregateTypeProblem(type).ifPresent(problem -> {
            throw new BadParameterException("type", "aggregate type " + problem);
        });
        Names.idProblem(id).ifPresent(problem -> {
            throw new BadParameterException("id", "aggregate id " + problem);
        });
        ObjectNode json = JSON.createObjectNode().put("aggregateType", type).put("aggregateId", id);
        head(type, id, json);
        events(type, id, json);
        return json;
    }

    /** The partition Kafka's default partitioner gives the key {@code id} among {@code partitions}. */
    static int partitionOf(String id, int partitions) {
        return Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private void events(String type, String id, ObjectNode json) {
        ArrayNode events = json.putArray("events");
        ArrayNode undecodable = json.putArray("undecodable");
        int partitions = reader.partitions(Topics.EVENTS_ALL);
        if (partitions == 0) {
            json.put("eventsProblem", Topics.EVENTS_ALL + " does not exist yet");
            return;
        }
        TopicPartition partition = new TopicPartition(Topics.EVENTS_ALL, partitionOf(id, partitions));
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        List<ObjectNode> found = new ArrayList<>();
        TopicReader.Scan scan = reader.scan(partition, 0, maxRecords, record -> {
            if (Arrays.equals(record.key(), key)) {
                found.add(records.describe(record));
            }
            return true;
        });
        found.stream()
                .filter(record -> record.get("value").get("decoded").asBoolean())
                .filter(record ->
                        type.equals(record.get("value").get("aggregateType").asText()))
                .sorted(Comparator.comparingLong((ObjectNode record) -> version(record))
                        .thenComparingLong(record -> record.get("offset").asLong()))
                .forEach(events::add);
        found.stream()
                .filter(record -> !record.get("value").get("decoded").asBoolean())
                .forEach(undecodable::add);
        json.put("topic", Topics.EVENTS_ALL).put("partition", partition.partition());
        json.set("scan", scan(scan));
    }

    private static long version(ObjectNode record) {
        return record.get("value").get("aggregateVersion").asLong();
    }

    private ObjectNode scan(TopicReader.Scan scan) {
        return JSON.createObjectNode()
                .put("fromOffset", scan.from())
                .put("nextOffset", scan.next())
                .put("endOffset", scan.end())
                .put("recordsRead", scan.records())
                .put("maxRecords", maxRecords)
                .put("complete", scan.complete());
    }

    private void head(String type, String id, ObjectNode json) {
        URI uri = URI.create(commandUrl + "/v1/aggregates/" + segment(type) + "/" + segment(id));
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).timeout(timeout).GET();
        if (!token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            headFrom(answer, json);
        } catch (IOException e) {
            json.putNull("head");
            json.put("headProblem", "the command service at " + commandUrl + " did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            json.putNull("head");
            json.put("headProblem", "interrupted while asking the command service");
        }
    }

    private static void headFrom(HttpResponse<String> answer, ObjectNode json) throws IOException {
        if (answer.statusCode() == 200) {
            json.set("head", JSON.readTree(answer.body()));
            return;
        }
        json.putNull("head");
        String detail = detail(answer.body());
        json.put(
                "headProblem",
                answer.statusCode() == 404
                        ? "the command service knows no such aggregate"
                        : "the command service answered " + answer.statusCode() + " " + detail);
    }

    /** The {@code detail} of a problem answer, or nothing when the body is no problem. */
    private static String detail(String body) {
        try {
            JsonNode problem = JSON.readTree(body);
            return problem == null ? "" : problem.path("detail").asText("");
        } catch (JsonProcessingException e) {
            return "";
        }
    }

    /** {@code text} as one path segment: percent-encoded, a space as {@code %20}. */
    private static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
