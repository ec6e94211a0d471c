package io.polyglot.dashboard.deadletters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.dashboard.DashboardConfig;
import io.polyglot.dashboard.events.NotFoundException;
import io.polyglot.dashboard.events.RecordJson;
import io.polyglot.dashboard.views.WholeNumber;
import io.polyglot.runtime.AdminResponse;
import io.polyglot.runtime.KafkaUnavailableException;
import io.polyglot.runtime.TopicSnapshot;
import io.polyglot.runtime.deadletter.DeadLetterHeaders;
import io.polyglot.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.header.Header;

/**
 * The dead-letter page's data and actions. {@code GET /api/dead-letters}: the records of {@code events.dlq} (the
 * newest {@value #SHOWN} at most), each with its headers, its decoded value, and its resolution as the worker of its
 * {@code dlq.group} reports it on {@code GET /admin/dead-letters}. {@code POST
 * /api/dead-letters/{group}/{partition}/{offset}/retry|skip} passes the decision to that worker's admin endpoint with
 * the stack's token and answers what the worker answered. The dashboard itself writes to no topic.
 */
public final class DeadLetterDesk {

    /** The most dead letters one listing shows. */
    static final int SHOWN = 1_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NUMBER = Pattern.compile("\\d{1,18}");

    private final String bootstrapServers;
    private final Duration readTimeout;
    private final RecordJson records;
    private final DeadLetterOwners workers;

    public DeadLetterDesk(DashboardConfig config, RecordJson records) {
        this.bootstrapServers = config.kafkaBootstrapServers();
        this.readTimeout = config.events().readTimeout();
        this.records = records;
        Map<String, String> owners = new LinkedHashMap<>();
        owners.put(DeadLetterOwners.ARCHIVER_GROUP, config.archiverHealthUrl());
        owners.put(DeadLetterOwners.PROJECTION_GROUP, config.projectionHealthUrl());
        this.workers = new DeadLetterOwners(
                owners, config.serviceBearer(), readTimeout, config.events().actionTimeout());
    }

    /**
     * Every dead letter of the topic, the newest {@value #SHOWN} at most, with the resolutions of their groups.
     *
     * @throws KafkaUnavailableException when the topic cannot be read to its end
     */
    public ObjectNode list() {
        Deque<ConsumerRecord<byte[], byte[]>> newest = new ArrayDeque<>();
        int total = read(record -> {
            newest.addLast(record);
            if (newest.size() > SHOWN) {
                newest.removeFirst();
            }
        });
        Map<String, DeadLetterOwners.Listing> listings = workers.listings();
        ObjectNode json =
                JSON.createObjectNode().put("topic", Topics.EVENTS_DLQ).put("total", total);
        json.put("shown", newest.size());
        ObjectNode groups = json.putObject("workers");
        listings.forEach((group, listing) -> groups.set(group, listing.describe()));
        ArrayNode letters = json.putArray("deadLetters");
        newest.forEach(record -> letters.add(letter(record, listings)));
        return json;
    }

    /**
     * Passes {@code action} ({@code retry} or {@code skip}) on the dead letter of the source record at
     * {@code partition} and {@code offset} to the worker of {@code group}.
     *
     * @throws NotFoundException when no worker of the pipeline runs {@code group}, or the action is neither
     * @throws io.polyglot.dashboard.views.BadParameterException when the partition or offset is not a whole number
     *     in its range
     */
    public AdminResponse decide(String group, String partition, String offset, String action) {
        if (!workers.owns(group)) {
            throw new NotFoundException("no worker of the pipeline runs the group " + group);
        }
        if (!action.equals("retry") && !action.equals("skip")) {
            throw new NotFoundException("a dead letter is retried or skipped, not " + action);
        }
        WholeNumber.parse("partition", partition, 0, Integer.MAX_VALUE);
        WholeNumber.parse("offset", offset, 0, Long.MAX_VALUE);
        return workers.decide(group, partition + "/" + offset + "/" + action);
    }

    private ObjectNode letter(ConsumerRecord<byte[], byte[]> record, Map<String, DeadLetterOwners.Listing> listings) {
        ObjectNode json = records.describe(record);
        String group = header(record, DeadLetterHeaders.GROUP);
        ObjectNode letter = json.putObject("deadLetter");
        letter.put("sourceTopic", header(record, DeadLetterHeaders.SOURCE_TOPIC));
        letter.set("sourcePartition", number(header(record, DeadLetterHeaders.SOURCE_PARTITION)));
        letter.set("sourceOffset", number(header(record, DeadLetterHeaders.SOURCE_OFFSET)));
        letter.put("sourceTimestamp", time(header(record, DeadLetterHeaders.SOURCE_TIMESTAMP)))
                .put("group", group)
                .put("errorClass", header(record, DeadLetterHeaders.ERROR_CLASS))
                .put("errorMessage", header(record, DeadLetterHeaders.ERROR_MESSAGE))
                .set("attempts", number(header(record, DeadLetterHeaders.ATTEMPTS)));
        DeadLetterOwners.Listing listing = group == null ? null : listings.get(group);
        letter.put("actionable", listing != null);
        letter.put("resolution", listing == null ? null : listing.resolution(letter));
        return json;
    }

    private int read(Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try {
            return TopicSnapshot.read(bootstrapServers, Topics.EVENTS_DLQ, Map.of(), readTimeout, each);
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while reading " + Topics.EVENTS_DLQ, e);
        } catch (KafkaException e) {
            throw new KafkaUnavailableException(
                    "cannot read " + Topics.EVENTS_DLQ + " to its end: " + e.getMessage(), e);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A header's whole number as a JSON number; a header that holds no number stays text, so nothing is hidden. */
    private static JsonNode number(String text) {
        return text != null && NUMBER.matcher(text).matches()
                ? JSON.getNodeFactory().numberNode(Long.parseLong(text))
                : JSON.getNodeFactory().textNode(text);
    }

    /** Epoch milliseconds as ISO-8601, or the text as it is when it is no number. */
    private static String time(String millis) {
        if (millis == null || !NUMBER.matcher(millis).matches()) {
            return millis;
        }
        return Instant.ofEpochMilli(Long.parseLong(millis)).toString();
    }
}
