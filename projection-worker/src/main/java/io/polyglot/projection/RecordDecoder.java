package io.polyglot.projection;

import io.polyglot.projection.domain.HelpdeskTicketProjection;
import io.polyglot.projection.domain.LoanApplicationProjection;
import io.polyglot.projection.domain.ProjectedEvent;
import io.polyglot.projection.domain.WeatherDailyProjection;
import io.polyglot.runtime.catalog.SchemaCatalog;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.EventTypes;
import io.polyglot.schemas.Names;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.UndecodableRecordException;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns the value of an {@code events.all} record into the event the projections fold, or says why it is skipped.
 * Knows nothing of Kafka: it gets the partition, the offset and the bytes.
 *
 * <p>The common record, an activity of a projected aggregate type written with this build's schemas, is read by an
 * {@link ActivityReader} that skips the fields no projection needs; every other record, and any the reader cannot
 * read, is decoded in full. An instance serves one thread at a time.
 */
public final class RecordDecoder {

    private static final Set<String> PROJECTED_AGGREGATE_TYPES = Set.of(
            LoanApplicationProjection.AGGREGATE_TYPE,
            HelpdeskTicketProjection.AGGREGATE_TYPE,
            WeatherDailyProjection.AGGREGATE_TYPE);

    private final EventCodec codec;
    private final ActivityReader activities = new ActivityReader(PROJECTED_AGGREGATE_TYPES);

    public RecordDecoder(EventCodec codec) {
        this.codec = codec;
    }

    /**
     * A decoder that looks a fingerprint this build does not know up in the {@code schemas} topic before it calls the
     * record undecodable; {@link io.polyglot.runtime.catalog.SchemaCatalogUnavailableException} when that topic
     * cannot be read then, which is no verdict on the record.
     */
    public static RecordDecoder withSchemasTopic(
            String bootstrapServers, Map<String, Object> consumerOverrides, Clock clock) {
        return new RecordDecoder(EventCodec.withCatalog(new SchemaCatalog(
                bootstrapServers,
                Topics.SCHEMAS,
                consumerOverrides,
                SchemaCatalog.DEFAULT_REFRESH_TIMEOUT,
                SchemaCatalog.DEFAULT_MIN_REFRESH_INTERVAL,
                clock)));
    }

    /** Decodes one record value. Never throws for bad bytes: those come back as {@link Skipped}. */
    public Decoded decode(int partition, long offset, byte[] value) {
        if (value != null) {
            try {
                ProjectedEvent event = activities.read(partition, offset, value);
                if (event != null) {
                    return new Projectable(event);
                }
            } catch (IOException | RuntimeException e) {
                // Not readable the short way: the full decode below says why, with the codec's own words.
            }
        }
        return decodeInFull(partition, offset, value);
    }

    /** Decodes one record value through the envelope and payload records, as {@link #decode} does when it must. */
    Decoded decodeInFull(int partition, long offset, byte[] value) {
        EventEnvelope envelope;
        try {
            envelope = codec.decode(value);
        } catch (UndecodableRecordException e) {
            return new Skipped(SkipReason.UNDECODABLE, e.getMessage(), e);
        }
        Optional<String> badType = Names.aggregateTypeProblem(envelope.getAggregateType());
        if (badType.isPresent()) {
            // No writer of this pipeline can have produced it: the intake refuses such names.
            String detail = "aggregate type breaks the name rules: " + badType.get();
            return new Skipped(SkipReason.UNDECODABLE, detail, new UndecodableRecordException(detail));
        }
        if (!PROJECTED_AGGREGATE_TYPES.contains(envelope.getAggregateType())) {
            return new Skipped(SkipReason.UNKNOWN_AGGREGATE_TYPE, envelope.getAggregateType(), null);
        }
        if (!EventTypes.ACTIVITY_RECORDED.equals(envelope.getType())) {
            return new Skipped(SkipReason.UNPROJECTED_EVENT_TYPE, envelope.getType(), null);
        }
        SpecificRecord payload;
        try {
            payload = codec.decodePayload(envelope.getPayload());
        } catch (UndecodableRecordException e) {
            return new Skipped(SkipReason.UNDECODABLE, "payload: " + e.getMessage(), e);
        }
        if (!(payload instanceof ActivityRecorded activity)) {
            String detail = "event type " + envelope.getType() + " carries a "
                    + payload.getSchema().getFullName();
            return new Skipped(SkipReason.UNDECODABLE, detail, new UndecodableRecordException(detail));
        }
        return new Projectable(new ProjectedEvent(
                partition,
                offset,
                envelope.getAggregateType(),
                envelope.getAggregateId(),
                envelope.getAggregateVersion(),
                activity.getActivity(),
                activity.getLifecycle(),
                envelope.getOccurredAt(),
                activity.getAttributes()));
    }

    /** The outcome of decoding one record. */
    public sealed interface Decoded permits Projectable, Skipped {}

    /** A record the projections fold. */
    public record Projectable(ProjectedEvent event) implements Decoded {}

    /**
     * A record passed over, with the reason, a short detail for the log and, for an undecodable one, why it failed.
     */
    public record Skipped(SkipReason reason, String detail, Throwable cause) implements Decoded {}
}
