package io.polyglot.schemas;

import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Every schema this build writes, by fingerprint. Fingerprints are Avro's 64-bit parsing fingerprints (CRC-64-AVRO),
 * the ones single-object encoding puts in front of each body.
 */
public final class KnownSchemas {

    private static final Schema ENVELOPE = EventEnvelope.getClassSchema();
    private static final List<Schema> PAYLOADS = List.of(ActivityRecorded.getClassSchema());
    private static final Map<Long, Schema> ALL = index();

    private KnownSchemas() {}

    /** The envelope schema of {@code events.all}. */
    public static Schema envelope() {
        return ENVELOPE;
    }

    /** The payload schemas, one per event type. */
    public static List<Schema> payloads() {
        return PAYLOADS;
    }

    /** The schema with this fingerprint, or empty when this build does not know it. */
    public static Optional<Schema> byFingerprint(long fingerprint) {
        return Optional.ofNullable(ALL.get(fingerprint));
    }

    /** Every known schema by fingerprint, the envelope first. */
    public static Map<Long, Schema> all() {
        return ALL;
    }

    /** The Avro parsing fingerprint of a schema. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /** A fingerprint as 16 lower-case hex digits: the key of the {@code schemas} topic. */
    public static String hex(long fingerprint) {
        return String.format("%016x", fingerprint);
    }

    private static Map<Long, Schema> index() {
        Map<Long, Schema> all = new LinkedHashMap<>();
        all.put(fingerprint(ENVELOPE), ENVELOPE);
        for (Schema payload : PAYLOADS) {
            all.put(fingerprint(payload), payload);
        }
        return Map.copyOf(all);
    }
}
