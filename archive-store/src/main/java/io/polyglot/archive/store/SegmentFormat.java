package io.polyglot.archive.store;

import io.polyglot.schemas.AvroLimits;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.TrustedPackages;
import io.polyglot.schemas.UndecodableRecordException;
import io.polyglot.schemas.UnknownSchemaException;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The segment file: an Avro object container file whose records are the event envelopes.
 *
 * <p>Any Avro reader can decode a segment without the pipeline: besides the envelope schema (the file's own), the file
 * metadata carries every payload schema its events use, one entry per schema under {@value #PAYLOAD_SCHEMA_PREFIX}
 * followed by the fingerprint in 16 hex digits (the 8 bytes after the {@code C3 01} marker of each payload): the writer
 * schema of each payload, also when it is a newer version than this build's (from the {@code schemas} catalog), so a
 * segment may hold payloads of several versions of one type. The {@code schema-fingerprint} object metadata names the
 * file's own schema, the envelope's. It also carries where the events came from: {@value #SOURCE_TOPIC}, {@value
 * #SOURCE_PARTITION} and {@value #SOURCE_OFFSETS} (the offset of each record, decimal, comma-separated, in record
 * order).
 *
 * <p>The same events always give the same bytes: the sync marker is the first 16 bytes of the SHA-256 of the key,
 * metadata entries are written in a fixed order, and blocks are not compressed (the {@code null} codec), because a
 * compressor's output may differ between library versions while segments must stay reproducible; they are small
 * and the store may compress on its side. {@link #read} takes blocks compressed with any codec Avro names.
 */
public final class SegmentFormat {

    /** Prefix of the metadata entries that hold the payload schemas, followed by the 16-hex-digit fingerprint. */
    public static final String PAYLOAD_SCHEMA_PREFIX = "polyglot.payload.schema.";

    /** Metadata entry naming the source topic. */
    public static final String SOURCE_TOPIC = "polyglot.source.topic";

    /** Metadata entry naming the source partition. */
    public static final String SOURCE_PARTITION = "polyglot.source.partition";

    /** Metadata entry listing the offset of every record. */
    public static final String SOURCE_OFFSETS = "polyglot.source.offsets";

    private static final int SYNC_LENGTH = 16;

    private SegmentFormat() {}

    /** The sync marker of the segment at {@code key}: the first 16 bytes of the SHA-256 of the key's text. */
    public static byte[] syncMarker(SegmentKey key) {
        return syncMarker(key.value());
    }

    private static byte[] syncMarker(String key) {
        byte[] digest = SegmentChecksum.digest().digest(key.getBytes(StandardCharsets.UTF_8));
        return Arrays.copyOf(digest, SYNC_LENGTH);
    }

    /**
     * Writes the segment to {@code out}, which stays open so the caller can force it to disk before closing it.
     *
     * @throws UnknownSchemaException when an event's payload names a schema this build does not know, which would
     *     leave the file unreadable without the pipeline
     * @throws UndecodableRecordException when an event's payload is not in single-object encoding
     */
    public static void write(SegmentKey key, String topic, List<ArchivedEvent> events, OutputStream out)
            throws IOException {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a segment holds at least one event: " + key);
        }
        write(key, topic, source(events), out);
    }

    /** The events of {@code events} as a source, for writers that hold a segment in memory. */
    public static SegmentSource source(List<ArchivedEvent> events) {
        return new ListedEvents(List.copyOf(events));
    }

    /**
     * Writes the segment whose events {@code source} hands over one at a time, so the events need not be in memory;
     * {@code out} stays open so the caller can force it to disk before closing it. The same events give the same
     * bytes as the list form.
     *
     * @throws UnknownSchemaException when a payload fingerprint names a schema this build does not know
     */
    public static void write(SegmentKey key, String topic, SegmentSource source, OutputStream out) throws IOException {
        write(key, topic, source, out, KnownSchemas::byFingerprint);
    }

    /**
     * Like {@link #write(SegmentKey, String, SegmentSource, OutputStream)}, with the payload schemas found by
     * {@code payloadSchemas} (this build's and the catalog's, for instance).
     *
     * @throws UnknownSchemaException when {@code payloadSchemas} has no schema for a payload's fingerprint
     */
    public static void write(
            SegmentKey key,
            String topic,
            SegmentSource source,
            OutputStream out,
            LongFunction<Optional<Schema>> payloadSchemas)
            throws IOException {
        write(key.value(), key.partition(), topic, source, out, payloadSchemas);
    }

    /**
     * Writes the late segment of one retried event: the same format as any segment, its sync marker derived from the
     * late key, so the same event always gives the same bytes and a second retry meets the create-only fence with
     * an equal object.
     *
     * @throws UnknownSchemaException when {@code payloadSchemas} has no schema for the payload's fingerprint
     */
    public static void writeLate(
            LateSegmentKey key,
            String topic,
            ArchivedEvent event,
            OutputStream out,
            LongFunction<Optional<Schema>> payloadSchemas)
            throws IOException {
        if (event.offset() != key.sourceOffset()) {
            throw new IllegalArgumentException("event at offset " + event.offset() + " does not belong in " + key);
        }
        write(key.value(), key.partition(), topic, source(List.of(event)), out, payloadSchemas);
    }

    private static void write(
            String key,
            int partition,
            String topic,
            SegmentSource source,
            OutputStream out,
            LongFunction<Optional<Schema>> payloadSchemas)
            throws IOException {
        List<Long> offsets = source.offsets();
        if (offsets.isEmpty()) {
            throw new IllegalArgumentException("a segment holds at least one event: " + key);
        }
        Schema envelope = KnownSchemas.envelope();
        SpecificDatumWriter<EventEnvelope> datumWriter =
                new SpecificDatumWriter<>(envelope, SpecificData.getForClass(EventEnvelope.class));
        // Records go in as bodies already encoded in the file's schema, so this writer never encodes one itself.
        try (DataFileWriter<EventEnvelope> writer = new DataFileWriter<>(datumWriter)) {
            writer.setCodec(CodecFactory.nullCodec());
            writer.setMeta(SOURCE_TOPIC, topic);
            writer.setMeta(SOURCE_PARTITION, Integer.toString(partition));
            writer.setMeta(SOURCE_OFFSETS, offsets.stream().map(String::valueOf).collect(Collectors.joining(",")));
            for (long fingerprint : source.payloadFingerprints()) {
                Schema payload =
                        payloadSchemas.apply(fingerprint).orElseThrow(() -> new UnknownSchemaException(fingerprint));
                writer.setMeta(PAYLOAD_SCHEMA_PREFIX + KnownSchemas.hex(fingerprint), payload.toString());
            }
            writer.create(envelope, new KeepOpen(out), syncMarker(key));
            source.forEachBody(writer::appendEncoded);
        }
    }

    /**
     * Reads a whole segment file.
     *
     * @throws IOException when the stream cannot be read
     * @throws UndecodableRecordException when the bytes are not a segment file
     */
    public static SegmentContents read(InputStream in) throws IOException {
        TrustedPackages.install();
        AvroLimits.install();
        SpecificDatumReader<EventEnvelope> datumReader = new SpecificDatumReader<>(EventEnvelope.class);
        try (DataFileStream<EventEnvelope> stream = new DataFileStream<>(in, datumReader)) {
            List<EventEnvelope> events = new ArrayList<>();
            while (stream.hasNext()) {
                events.add(stream.next());
            }
            return new SegmentContents(
                    KnownSchemas.fingerprint(stream.getSchema()),
                    stream.getMetaString(SOURCE_TOPIC),
                    parsePartition(stream.getMetaString(SOURCE_PARTITION)),
                    parseOffsets(stream.getMetaString(SOURCE_OFFSETS)),
                    events,
                    readPayloadSchemas(stream));
        } catch (AvroRuntimeException
                | IndexOutOfBoundsException
                | NegativeArraySizeException
                | UnsupportedOperationException
                | IllegalArgumentException e) {
            // What Avro and its codecs throw for bytes that are no segment: an over-long length is an
            // UnsupportedOperationException, a compressed block claiming a negative size an IllegalArgumentException.
            throw new UndecodableRecordException("not a readable segment file: " + e.getMessage(), e);
        }
    }

    /** The fingerprint of the schema an event's payload names. */
    public static long payloadFingerprint(EventEnvelope envelope) {
        ByteBuffer payload = envelope.getPayload();
        if (payload == null) {
            throw new UndecodableRecordException("event " + envelope.getEventId() + " has no payload");
        }
        ByteBuffer view = payload.duplicate();
        byte[] header = new byte[Math.min(EventCodec.HEADER_LENGTH, view.remaining())];
        view.get(header);
        return EventCodec.fingerprintOf(header);
    }

    private static Map<Long, Schema> readPayloadSchemas(DataFileStream<EventEnvelope> stream) {
        Map<Long, Schema> schemas = new TreeMap<>();
        for (String name : stream.getMetaKeys()) {
            if (name.startsWith(PAYLOAD_SCHEMA_PREFIX)) {
                String hex = name.substring(PAYLOAD_SCHEMA_PREFIX.length());
                try {
                    schemas.put(
                            HexFormat.fromHexDigitsToLong(hex), new Schema.Parser().parse(stream.getMetaString(name)));
                } catch (IllegalArgumentException | SchemaParseException e) {
                    throw new UndecodableRecordException("metadata entry " + name + " is not a payload schema", e);
                }
            }
        }
        return schemas;
    }

    private static int parsePartition(String text) {
        try {
            return Integer.parseInt(requirePresent(SOURCE_PARTITION, text));
        } catch (NumberFormatException e) {
            throw new UndecodableRecordException(SOURCE_PARTITION + " is not a number: " + text, e);
        }
    }

    private static List<Long> parseOffsets(String text) {
        List<Long> offsets = new ArrayList<>();
        try {
            for (String offset : requirePresent(SOURCE_OFFSETS, text).split(",", -1)) {
                offsets.add(Long.parseLong(offset));
            }
        } catch (NumberFormatException e) {
            throw new UndecodableRecordException(SOURCE_OFFSETS + " is not a list of offsets: " + text, e);
        }
        return offsets;
    }

    private static String requirePresent(String name, String value) {
        if (value == null) {
            throw new UndecodableRecordException("segment file has no " + name + " metadata entry");
        }
        return value;
    }

    /** A segment whose events are all in memory already. */
    private record ListedEvents(List<ArchivedEvent> events) implements SegmentSource {
        @Override
        public List<Long> offsets() {
            return events.stream().map(ArchivedEvent::offset).toList();
        }

        @Override
        public SortedSet<Long> payloadFingerprints() {
            SortedSet<Long> fingerprints = new TreeSet<>();
            events.forEach(event -> fingerprints.add(payloadFingerprint(event.envelope())));
            return fingerprints;
        }

        @Override
        public void forEachBody(BodySink sink) throws IOException {
            EventCodec codec = EventCodec.standard();
            for (ArchivedEvent event : events) {
                sink.accept(codec.encodeBody(event.envelope()));
            }
        }
    }

    /** Lets the Avro writer close its stack without closing the caller's stream, which still needs an fsync. */
    private static final class KeepOpen extends FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
