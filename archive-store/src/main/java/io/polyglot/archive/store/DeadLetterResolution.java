package io.polyglot.archive.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.schemas.SafeSegment;
import io.polyglot.schemas.UndecodableRecordException;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;

/**
 * A group's decision about one of its dead letters, stored create-only as JSON at
 * {@code dead-letters/{group}/p{partition:03}/{sourceOffset:020}.json} so it survives restarts and the verifier reads
 * it without Kafka. A dead letter with no stored decision is pending; a decision once stored never changes, so a dead
 * letter is retried or skipped at most once. For the archiver, the late segment of a retried dead letter is the proof
 * that it was retried; its decision object records when and where.
 *
 * @param group the consumer group the dead letter belongs to
 * @param partition the source partition of {@code events.all}
 * @param sourceOffset the source offset
 * @param status what was decided
 * @param decidedAt when, ISO-8601
 * @param lateSegment the key of the late segment of a retried dead letter; null otherwise
 */
public record DeadLetterResolution(
        String group, int partition, long sourceOffset, Status status, String decidedAt, String lateSegment) {

    /** Prefix of every stored decision. */
    public static final String PREFIX = "dead-letters/";

    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What a group decided about a dead letter; a dead letter without a decision is pending. */
    public enum Status {
        /** Decoded again and applied (for the archiver: sealed as a late segment). */
        RETRIED,
        /** Left out on purpose: the offset counts as accounted for. */
        SKIPPED;

        /** The status as JSON has it, in lower case. */
        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The status from its JSON text. */
        @JsonCreator
        public static Status of(String json) {
            return valueOf(json.toUpperCase(Locale.ROOT));
        }
    }

    /** Checks the parts. */
    public DeadLetterResolution {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(status, "status");
        if (partition < 0 || sourceOffset < 0) {
            throw new IllegalArgumentException(
                    "a partition and an offset are never negative, got " + partition + "/" + sourceOffset);
        }
    }

    /** The key of the decision about the dead letter of {@code group} at {@code sourceOffset} of {@code partition}. */
    public static String key(String group, int partition, long sourceOffset) {
        return folder(group) + String.format("p%03d/%020d.json", partition, sourceOffset);
    }

    /** The folder of every decision of {@code group}. */
    public static String folder(String group) {
        return PREFIX + SafeSegment.of(group) + "/";
    }

    /** The key it is stored under. */
    public String key() {
        return key(group, partition, sourceOffset);
    }

    /** The decision as the stored JSON. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a dead-letter decision is always JSON", e);
        }
    }

    /**
     * The decision in {@code json}.
     *
     * @throws UndecodableRecordException when the bytes are not a decision
     */
    public static DeadLetterResolution fromJson(byte[] json) {
        try {
            return JSON.readValue(json, DeadLetterResolution.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new UndecodableRecordException("not a dead-letter decision: " + e.getMessage(), e);
        }
    }
}
