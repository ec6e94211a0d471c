package io.polyglot.runtime;

import io.polyglot.schemas.Limits;
import io.polyglot.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the topics of the design when they are missing, with the settings the contracts need. */
public final class TopicSetup {

    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);

    private TopicSetup() {}

    /** The topics the pipeline needs, with their configuration. */
    public static List<NewTopic> topics(int partitions, short replicationFactor, int commandMaxBytes) {
        String maxMessageBytes = Integer.toString(Limits.recordMaxBytes(commandMaxBytes));
        Map<String, String> events = Map.of(
                TopicConfig.RETENTION_MS_CONFIG, "-1",
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxMessageBytes,
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime");
        Map<String, String> plain = Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxMessageBytes);
        Map<String, String> compacted = Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                maxMessageBytes);
        List<NewTopic> topics = new ArrayList<>();
        topics.add(new NewTopic(Topics.EVENTS_ALL, partitions, replicationFactor).configs(events));
        topics.add(new NewTopic(Topics.COMMANDS, partitions, replicationFactor).configs(plain));
        topics.add(new NewTopic(Topics.COMMANDS_DECISIONS, partitions, replicationFactor).configs(plain));
        topics.add(new NewTopic(Topics.COMMANDS_IDS, partitions, replicationFactor).configs(compacted));
        topics.add(new NewTopic(Topics.EVENTS_DLQ, partitions, replicationFactor).configs(plain));
        topics.add(new NewTopic(Topics.SCHEMAS, 1, replicationFactor).configs(compacted));
        return topics;
    }

    /**
     * Creates every missing topic; existing ones are left as they are.
     *
     * @throws KafkaUnavailableException when the cluster does not answer within 30 seconds
     */
    public static void ensure(Admin admin, int partitions, short replicationFactor, int commandMaxBytes) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics(partitions, replicationFactor, commandMaxBytes).stream()
                    .filter(t -> !existing.contains(t.name()))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                    log.info("Topic created (topic={}, partitions={})", entry.getKey(), partitions);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new KafkaUnavailableException("could not create topic " + entry.getKey(), e.getCause());
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaUnavailableException("Kafka did not answer while topics were set up", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while topics were set up", e);
        }
    }
}
