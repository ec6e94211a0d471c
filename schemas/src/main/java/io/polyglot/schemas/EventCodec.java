package io.polyglot.schemas;

import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes events in Avro single-object encoding: a two-byte marker, the schema's 64-bit fingerprint, then
 * the body. The envelope's {@code payload} holds the payload record in the same encoding, so a reader finds the
 * payload's schema from the payload bytes alone.
 *
 * <p>The {@link #standard()} codec knows the schemas of this build only. A codec built {@link #withCatalog with a
 * catalog} (the {@code schemas} topic, for instance) also decodes values and payloads written with a schema this build
 * does not have: it takes the writer schema from the catalog and resolves it to this build's schema of the same full
 * name, so a newer writer that reordered fields or added optional ones is read with every field in place. Only a
 * fingerprint found nowhere is an {@link UnknownSchemaException}.
 *
 * <p>Instances are thread-safe.
 */
public final class EventCodec {

    /** Bytes before the body: marker (2) and fingerprint (8). */
    public static final int HEADER_LENGTH = 10;

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;
    private static final SchemaStore NO_CATALOG = fingerprint -> null;
    private static final EventCodec STANDARD = new EventCodec(NO_CATALOG);

    private final SpecificData model = SpecificData.getForClass(EventEnvelope.class);
    private final SchemaStore catalog;
    private final SingleObjectFormat<EventEnvelope> envelopeFormat;
    private final BinaryMessageDecoder<EventEnvelope> envelopeDecoder;
    private final SpecificDatumReader<EventEnvelope> bodyReader;
    private final Map<Long, BinaryMessageDecoder<SpecificRecord>> payloadDecoders = new ConcurrentHashMap<>();
    private final Map<Class<?>, SingleObjectFormat<SpecificRecord>> payloadFormats = new HashMap<>();

    private EventCodec(SchemaStore catalog) {
        TrustedPackages.install();
        AvroLimits.install();
        this.catalog = catalog;
        this.envelopeFormat = SingleObjectFormat.of(model, KnownSchemas.envelope());
        this.envelopeDecoder =
                new BinaryMessageDecoder<>(model, KnownSchemas.envelope(), sameName(KnownSchemas.envelope()));
        this.bodyReader = new SpecificDatumReader<>(KnownSchemas.envelope(), KnownSchemas.envelope(), model);
        for (Schema payload : KnownSchemas.payloads()) {
            payloadDecoders.put(KnownSchemas.fingerprint(payload), new BinaryMessageDecoder<>(model, payload));
            payloadFormats.put(model.getClass(payload), SingleObjectFormat.of(model, payload));
        }
    }

    /** The codec for every schema of this build. */
    public static EventCodec standard() {
        return STANDARD;
    }

    /**
     * A codec for every schema of this build that looks a fingerprint it does not know up in {@code catalog}, whose
     * {@link SchemaStore#findByFingerprint} answers the writer schema or null when it has none. The catalog may throw
     * an unchecked exception of its own when it cannot be asked now; the decode methods pass it on unchanged, so a
     * caller can tell "cannot look it up now" from "found nowhere".
     */
    public static EventCodec withCatalog(SchemaStore catalog) {
        return new EventCodec(catalog);
    }

    /**
     * The schema with {@code fingerprint}: this build's, else the catalog's; empty when neither has it. Segments use
     * it to carry the writer schema of every payload they hold.
     */
    public Optional<Schema> schema(long fingerprint) {
        Optional<Schema> known = KnownSchemas.byFingerprint(fingerprint);
        return known.isPresent() ? known : Optional.ofNullable(catalog.findByFingerprint(fingerprint));
    }

    /** The envelope in single-object encoding. */
    public byte[] encode(EventEnvelope envelope) {
        return envelopeFormat.encode(envelope);
    }

    /** The size of {@link #encode(EventEnvelope)}'s result. */
    public int encodedSize(EventEnvelope envelope) {
        return envelopeFormat.encode(envelope).length;
    }

    /**
     * The envelope in {@code bytes}.
     *
     * @throws UnknownSchemaException when the bytes name a schema this build does not know
     * @throws UndecodableRecordException when the bytes are not an envelope at all
     */
    public EventEnvelope decode(byte[] bytes) {
        if (bytes == null) {
            throw new UndecodableRecordException("no bytes to decode (null value)");
        }
        requireHeader(bytes, 0, bytes.length);
        return decoding("envelope", () -> {
            try {
                return envelopeDecoder.decode(bytes);
            } catch (MissingSchemaException e) {
                throw new UnknownSchemaException(fingerprintAt(ByteBuffer.wrap(bytes)));
            } catch (BadHeaderException e) {
                throw new UndecodableRecordException("not an event envelope: " + e.getMessage(), e);
            }
        });
    }

    /**
     * The envelope's binary encoding in this build's schema, without the single-object header: the bytes after the
     * header of {@link #encode}, in a buffer over its array.
     */
    public ByteBuffer encodeBody(EventEnvelope envelope) {
        byte[] encoded = envelopeFormat.encode(envelope);
        return ByteBuffer.wrap(encoded, HEADER_LENGTH, encoded.length - HEADER_LENGTH)
                .slice();
    }

    /**
     * The envelope in {@code body}, the binary encoding in this build's schema that {@link #encodeBody} gives (a
     * segment file's record), in a buffer backed by an array.
     *
     * @throws UndecodableRecordException when the bytes are not such a body, or hold more than one envelope
     */
    public EventEnvelope decodeBody(ByteBuffer body) {
        ByteBuffer view = body.slice();
        BinaryDecoder decoder =
                DecoderFactory.get().binaryDecoder(view.array(), view.arrayOffset(), view.remaining(), null);
        EventEnvelope envelope = readBody(decoder);
        if (!decoding("envelope", decoder::isEnd)) {
            throw new UndecodableRecordException("bytes follow the envelope body");
        }
        return envelope;
    }

    private EventEnvelope readBody(BinaryDecoder decoder) {
        return decoding("envelope", () -> bodyReader.read(null, decoder));
    }

    /** A read from Avro bytes; what it throws for bytes that are not what it reads, it throws as Avro does. */
    @FunctionalInterface
    private interface AvroRead<T> {
        T read() throws IOException;
    }

    /**
     * The result of {@code read}, with every way Avro fails on bytes that are not a {@code what} (an over-long length
     * is an {@code UnsupportedOperationException}, a negative one a {@code NegativeArraySizeException}) turned into an
     * {@link UndecodableRecordException}.
     */
    private static <T> T decoding(String what, AvroRead<T> read) {
        try {
            return read.read();
        } catch (IOException
                | AvroRuntimeException
                | IndexOutOfBoundsException
                | NegativeArraySizeException
                | UnsupportedOperationException e) {
            throw new UndecodableRecordException(what + " body cannot be decoded: " + e, e);
        }
    }

    /** A payload record in single-object encoding, for the envelope's {@code payload} field. */
    public ByteBuffer encodePayload(SpecificRecord payload) {
        SingleObjectFormat<SpecificRecord> format = payloadFormats.get(payload.getClass());
        if (format == null) {
            throw new IllegalArgumentException(
                    "not a known payload type: " + payload.getClass().getName());
        }
        return ByteBuffer.wrap(format.encode(payload));
    }

    /**
     * The payload record in {@code payload}, with the schema its fingerprint names.
     *
     * @throws UnknownSchemaException when the fingerprint is not one of this build's payload schemas
     * @throws UndecodableRecordException when the bytes are not a payload
     */
    public SpecificRecord decodePayload(ByteBuffer payload) {
        if (payload == null) {
            throw new UndecodableRecordException("no payload bytes (null)");
        }
        ByteBuffer bytes = payload.duplicate();
        requireHeader(toArray(bytes.duplicate()), 0, bytes.remaining());
        long fingerprint = fingerprintAt(bytes);
        BinaryMessageDecoder<SpecificRecord> decoder = payloadDecoders.get(fingerprint);
        if (decoder == null) {
            decoder = payloadDecoderFromCatalog(fingerprint);
        }
        BinaryMessageDecoder<SpecificRecord> found = decoder;
        return decoding("payload", () -> found.decode(bytes));
    }

    /** A decoder from the catalog's writer schema to this build's payload schema of the same full name. */
    private BinaryMessageDecoder<SpecificRecord> payloadDecoderFromCatalog(long fingerprint) {
        Schema writer = catalog.findByFingerprint(fingerprint);
        if (writer == null) {
            throw new UnknownSchemaException(fingerprint);
        }
        Schema reader = KnownSchemas.payloads().stream()
                .filter(payload -> payload.getFullName().equals(writer.getFullName()))
                .findFirst()
                .orElseThrow(() -> new UndecodableRecordException("payload schema " + KnownSchemas.hex(fingerprint)
                        + " is " + writer.getFullName() + ", a record this build has no reader for"));
        try {
            BinaryMessageDecoder<SpecificRecord> decoder = new BinaryMessageDecoder<>(model, reader);
            decoder.addSchema(writer);
            payloadDecoders.putIfAbsent(fingerprint, decoder);
            return decoder;
        } catch (AvroRuntimeException e) {
            throw new UndecodableRecordException(
                    "payload schema " + KnownSchemas.hex(fingerprint) + " cannot be read as " + reader.getFullName()
                            + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * The catalog, answering only schemas of {@code reader}'s full name: a value whose schema names another record is
     * not what the reader expects, and Avro must not try to resolve it.
     */
    private SchemaStore sameName(Schema reader) {
        return fingerprint -> {
            Schema writer = catalog.findByFingerprint(fingerprint);
            if (writer != null && !writer.getFullName().equals(reader.getFullName())) {
                throw new UndecodableRecordException("schema " + KnownSchemas.hex(fingerprint) + " is "
                        + writer.getFullName() + ", not " + reader.getFullName());
            }
            return writer;
        };
    }

    /** The fingerprint a single-object-encoded value names, without decoding its body. */
    public static long fingerprintOf(byte[] singleObject) {
        requireHeader(singleObject, 0, singleObject.length);
        return fingerprintAt(ByteBuffer.wrap(singleObject));
    }

    private static void requireHeader(byte[] bytes, int offset, int length) {
        if (length < HEADER_LENGTH || bytes[offset] != MARKER_0 || bytes[offset + 1] != MARKER_1) {
            throw new UndecodableRecordException(
                    "not Avro single-object encoding: expected marker C3 01 and an 8-byte fingerprint, got " + length
                            + " bytes");
        }
    }

    private static long fingerprintAt(ByteBuffer bytes) {
        ByteBuffer view = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return view.getLong(view.position() + 2);
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
