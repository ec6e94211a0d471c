package io.polyglot.archiver;

import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Names;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.UndecodableRecordException;
import io.polyglot.schemas.UnknownSchemaException;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Decides whether a record of {@code events.all} can be archived, and decodes it: the value must be an envelope, its
 * payload must decode with a schema of this build or of the catalog (a segment carries the writer schema of every
 * payload it holds), its aggregate type must follow the name rules, and the {@code aggregateType} and
 * {@code eventType} headers, when present, must agree with the envelope (verification and other readers go by them).
 *
 * <p>A record that fails any of these is a {@link PoisonRecordException}. A catalog that cannot be asked now is not
 * poison: its retriable exception passes through, and the record is tried again later.
 */
final class RecordDecoder {

    private final EventCodec codec;

    RecordDecoder(EventCodec codec) {
        this.codec = codec;
    }

    /** The codec it decodes with, whose schemas segments carry. */
    EventCodec codec() {
        return codec;
    }

    /**
     * The envelope of a record that can be archived.
     *
     * @throws PoisonRecordException when it can never be archived
     */
    EventEnvelope decode(byte[] value, Headers headers) {
        if (value == null) {
            throw new PoisonRecordException(
                    PoisonRecordException.Reason.NO_VALUE, new UndecodableRecordException("the record has no value"));
        }
        EventEnvelope event = envelope(value);
        Names.aggregateTypeProblem(event.getAggregateType()).ifPresent(problem -> {
            throw new PoisonRecordException(
                    PoisonRecordException.Reason.INVALID_AGGREGATE_TYPE,
                    new UndecodableRecordException("aggregate type " + event.getAggregateType() + ": " + problem));
        });
        payload(event);
        requireAgrees(headers, Topics.HEADER_AGGREGATE_TYPE, event.getAggregateType());
        requireAgrees(headers, Topics.HEADER_EVENT_TYPE, event.getType());
        return event;
    }

    private EventEnvelope envelope(byte[] value) {
        try {
            return codec.decode(value);
        } catch (UnknownSchemaException e) {
            throw new PoisonRecordException(PoisonRecordException.Reason.UNKNOWN_SCHEMA, e);
        } catch (UndecodableRecordException e) {
            throw new PoisonRecordException(PoisonRecordException.Reason.UNDECODABLE, e);
        }
    }

    private void payload(EventEnvelope event) {
        try {
            SegmentFormat.payloadFingerprint(event);
            codec.decodePayload(event.getPayload());
        } catch (UnknownSchemaException e) {
            throw new PoisonRecordException(PoisonRecordException.Reason.UNKNOWN_SCHEMA, e);
        } catch (UndecodableRecordException e) {
            throw new PoisonRecordException(PoisonRecordException.Reason.INVALID_PAYLOAD, e);
        }
    }

    private static void requireAgrees(Headers headers, String name, String expected) {
        Optional<String> value = Optional.ofNullable(headers.lastHeader(name))
                .map(Header::value)
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8));
        if (value.isPresent() && !value.get().equals(expected)) {
            throw new PoisonRecordException(
                    PoisonRecordException.Reason.HEADER_MISMATCH,
                    new UndecodableRecordException(
                            "header " + name + " says " + value.get() + ", the envelope " + expected));
        }
    }
}
