package io.polyglot.dashboard.events;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.dashboard.views.BadParameterException;
import io.polyglot.dashboard.views.WholeNumber;
import io.polyglot.schemas.Topics;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code GET /api/topics/{topic}/partitions/{partition}?offset=&size=}: one page of a partition of {@code events.all}
 * or {@code events.dlq}, each record with its offset, time, key, headers and decoded value. Offsets count records and
 * transaction commit markers alike, so a page of {@code size} records may span more offsets than that.
 */
public final class TopicPages {

    /** The topics a page may show, in the order the events page lists them; any other name is not found. */
    public static final List<String> TOPICS = List.of(Topics.EVENTS_ALL, Topics.EVENTS_DLQ);

    static final int DEFAULT_SIZE = 20;
    static final int MAX_SIZE = 200;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final TopicReader reader;
    private final RecordJson records;

    public TopicPages(TopicReader reader, RecordJson records) {
        this.reader = reader;
        this.records = records;
    }

    /**
     * The page from {@code offset} (the partition's first offset when absent) of {@code size} records.
     *
     * @throws NotFoundException when the topic is not one the pages show, or has no such partition
     * @throws BadParameterException when the partition, offset or size is not a number in its range
     */
    public ObjectNode page(String topic, String partitionText, String offsetText, String sizeText) {
        TopicPartition partition = partition(topic, partitionText);
        int size = (int) number("size", sizeText, DEFAULT_SIZE, 1, MAX_SIZE);
        long requested = number("offset", offsetText, -1, 0, Long.MAX_VALUE);
        TopicReader.Bounds bounds = reader.bounds(partition);
        long from = requested < 0 ? bounds.beginning() : Math.max(requested, bounds.beginning());
        List<ConsumerRecord<byte[], byte[]>> page = reader.read(partition, from, size);
        ObjectNode json = NODES.objectNode()
                .put("topic", topic)
                .put("partition", partition.partition())
                .put("partitions", reader.partitions(topic))
                .put("beginningOffset", bounds.beginning())
                .put("endOffset", bounds.end())
                .put("offset", from)
                .put("size", size);
        long next = page.isEmpty()
                ? Math.max(from, bounds.end())
                : page.get(page.size() - 1).offset() + 1;
        json.put("nextOffset", next < bounds.end() ? next : null);
        json.put("previousOffset", from > bounds.beginning() ? Math.max(bounds.beginning(), from - size) : null);
        ArrayNode list = json.putArray("records");
        page.forEach(record -> list.add(records.describe(record)));
        return json;
    }

    /** The partitions of a topic the pages show, with their bounds. */
    public ObjectNode topic(String topic) {
        int count = partitionCount(topic);
        ObjectNode json = NODES.objectNode().put("topic", topic).put("partitions", count);
        ArrayNode list = json.putArray("offsets");
        for (int partition = 0; partition < count; partition++) {
            TopicReader.Bounds bounds = reader.bounds(new TopicPartition(topic, partition));
            list.addObject()
                    .put("partition", partition)
                    .put("beginningOffset", bounds.beginning())
                    .put("endOffset", bounds.end());
        }
        return json;
    }

    private TopicPartition partition(String topic, String partitionText) {
        int count = partitionCount(topic);
        int partition = (int) number("partition", partitionText, -1, 0, Integer.MAX_VALUE);
        if (partition < 0 || partition >= count) {
            throw new NotFoundException(topic + " has " + count + " partitions, no partition " + partitionText);
        }
        return new TopicPartition(topic, partition);
    }

    private int partitionCount(String topic) {
        if (!TOPICS.contains(topic)) {
            throw new NotFoundException("no topic " + topic + " is shown here; the pages show " + TOPICS);
        }
        int count = reader.partitions(topic);
        if (count == 0) {
            throw new NotFoundException(topic + " does not exist yet");
        }
        return count;
    }

    /** {@code text} as a number in {@code [min, max]}, or {@code absent} when there is none. */
    static long number(String parameter, String text, long absent, long min, long max) {
        return text == null ? absent : WholeNumber.parse(parameter, text, min, max);
    }
}
