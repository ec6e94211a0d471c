package io.polyglot.projection;

import io.polyglot.schemas.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes a writer schema to the broker's {@code schemas} topic, as a newer release of a writer would. */
final class SchemasTopic {

    private SchemasTopic() {}

    /** Creates the topic if it is missing and publishes {@code schemaJson} under its fingerprint in hex. */
    static void publish(String bootstrapServers, Admin admin, String fingerprintHex, String schemaJson)
            throws Exception {
        if (!admin.listTopics().names().get().contains(Topics.SCHEMAS)) {
            admin.createTopics(List.of(new NewTopic(Topics.SCHEMAS, 1, (short) 1)))
                    .all()
                    .get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrapServers, "acks", "all"),
                new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.SCHEMAS, fingerprintHex, schemaJson))
                    .get();
        }
    }
}
