package io.polyglot.runtime;

import io.polyglot.schemas.Limits;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka client properties with the guarantees of the design built in: producers write with {@code acks=all} and
 * idempotence, consumers read committed data only and commit offsets themselves. Overrides may tune anything else but
 * never weaken these; a service refuses to start rather than run with them weakened.
 */
public final class KafkaClientConfig {

    private KafkaClientConfig() {}

    /** Producer properties with byte-array key and value serializers. */
    public static Map<String, Object> producer(
            String bootstrapServers, int commandMaxBytes, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(overrides);
        requireUnchanged(config, ProducerConfig.ACKS_CONFIG, "all", "-1");
        requireUnchanged(config, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Limits.recordMaxBytes(commandMaxBytes));
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    /** Consumer properties with byte-array deserializers, read-committed isolation and auto-commit off. */
    public static Map<String, Object> consumer(String bootstrapServers, String groupId, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(overrides);
        requireUnchanged(config, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        requireUnchanged(config, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    private static void requireUnchanged(Map<String, Object> config, String key, String... allowed) {
        Object value = config.get(key);
        if (value == null) {
            return;
        }
        String text = value.toString().trim().toLowerCase(Locale.ROOT);
        for (String ok : allowed) {
            if (ok.equals(text)) {
                return;
            }
        }
        throw new InvalidSettingException(
                key + "=" + value + " is refused: the pipeline's guarantees need " + key + "=" + allowed[0]);
    }
}
