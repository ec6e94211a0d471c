package io.polyglot.schemas;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * One generated record type in Avro single-object encoding (marker {@code C3 01}, the schema's CRC-64-AVRO parsing
 * fingerprint in 8 little-endian bytes, then the binary body): the same bytes as the generated
 * {@code toByteBuffer()}, without building a message encoder's buffers per record.
 *
 * <p>Each thread keeps its own datum writer and reader, output buffer, encoder and decoder, so the HTTP threads and
 * the stream threads encode at once without sharing any of them. This build's schema of the type is read, and the
 * earlier versions of it that a format is given, resolved to this build's (a field added since takes its default);
 * a value written with any other schema is refused, as the generated {@code fromByteBuffer()} refuses it without a
 * schema store.
 *
 * <p>Instances are thread-safe.
 *
 * @param <T> the generated record class
 */
public final class SingleObjectFormat<T extends SpecificRecord> {

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;

    /**
     * Output buffers that grew beyond this are dropped after use: a command is about a kilobyte, and a few large ones
     * must not leave every one of the HTTP server's threads holding a large buffer.
     */
    private static final int KEPT_BUFFER_BYTES = 16 * 1024;

    private final Schema schema;
    private final byte[] header;
    private final Map<Long, Schema> earlier;
    private final ThreadLocal<Coders<T>> coders;

    private SingleObjectFormat(SpecificData model, Schema schema, Map<Long, Schema> earlier) {
        this.schema = schema;
        this.header = header(schema);
        this.earlier = earlier;
        this.coders = ThreadLocal.withInitial(() -> new Coders<>(model, schema, earlier));
    }

    /**
     * The format of the generated class of {@code schema}, written and read with {@code model}: the generated class's
     * own ({@code SpecificData.getForClass}) gives the bytes of its {@code toByteBuffer()}.
     */
    public static <T extends SpecificRecord> SingleObjectFormat<T> of(SpecificData model, Schema schema) {
        return of(model, schema, List.of());
    }

    /**
     * The format of {@code schema} that also reads values written with {@code earlier} versions of the same record,
     * resolved to {@code schema}; it writes {@code schema} only.
     *
     * @throws IllegalArgumentException when an earlier version names another record or cannot be read as
     *     {@code schema} (a field added since without a default, a type changed)
     */
    public static <T extends SpecificRecord> SingleObjectFormat<T> of(
            SpecificData model, Schema schema, List<Schema> earlier) {
        AvroLimits.install();
        Map<Long, Schema> byFingerprint = new HashMap<>();
        for (Schema version : earlier) {
            SchemaCompatibility.SchemaPairCompatibility reads =
                    SchemaCompatibility.checkReaderWriterCompatibility(schema, version);
            if (!version.getFullName().equals(schema.getFullName())
                    || reads.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new IllegalArgumentException("a value written with this version of " + version.getFullName()
                        + " cannot be read as " + schema.getFullName() + ": " + reads.getDescription());
            }
            byFingerprint.put(SchemaNormalization.parsingFingerprint64(version), version);
        }
        byFingerprint.remove(SchemaNormalization.parsingFingerprint64(schema));
        return new SingleObjectFormat<>(model, schema, Map.copyOf(byFingerprint));
    }

    /** The schema this format writes and reads. */
    public Schema schema() {
        return schema;
    }

    /** {@code record} in single-object encoding. */
    public byte[] encode(T record) {
        Coders<T> own = coders.get();
        Output out = own.output;
        out.reset();
        out.write(header, 0, header.length);
        boolean written = false;
        try {
            own.writer.write(record, own.encoder);
            own.encoder.flush();
            written = true;
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + schema.getFullName() + " into memory failed", e);
        } finally {
            // A record that failed half-way leaves bytes in the encoder; a large one leaves a large buffer.
            if (!written || out.capacity() > KEPT_BUFFER_BYTES) {
                own.renew();
            }
        }
        return out.toByteArray();
    }

    /**
     * The record in {@code bytes}. Bytes after the body are ignored, as the generated {@code fromByteBuffer()} ignores
     * them.
     *
     * @throws UndecodableRecordException when the bytes are not this record type in single-object encoding: no
     *     marker, another schema's fingerprint, or a body that cannot be read
     */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            throw new UndecodableRecordException("no bytes to decode (null value)");
        }
        if (bytes.length < EventCodec.HEADER_LENGTH || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
            throw new UndecodableRecordException(
                    "not Avro single-object encoding: expected marker C3 01 and an 8-byte fingerprint, got "
                            + bytes.length + " bytes");
        }
        Coders<T> own = coders.get();
        SpecificDatumReader<T> reader = own.reader;
        if (!Arrays.equals(bytes, 2, EventCodec.HEADER_LENGTH, header, 2, EventCodec.HEADER_LENGTH)) {
            reader = earlier.isEmpty() ? null : own.earlierReaders.get(EventCodec.fingerprintOf(bytes));
            if (reader == null) {
                throw new UndecodableRecordException("the fingerprint is not that of " + schema.getFullName());
            }
        }
        try {
            own.decoder = DecoderFactory.get()
                    .binaryDecoder(
                            bytes, EventCodec.HEADER_LENGTH, bytes.length - EventCodec.HEADER_LENGTH, own.decoder);
            return reader.read(null, own.decoder);
        } catch (IOException
                | AvroRuntimeException
                | IndexOutOfBoundsException
                | NegativeArraySizeException
                | UnsupportedOperationException e) {
            throw new UndecodableRecordException(schema.getFullName() + " body cannot be decoded: " + e, e);
        }
    }

    private static byte[] header(Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        byte[] header = new byte[EventCodec.HEADER_LENGTH];
        header[0] = MARKER_0;
        header[1] = MARKER_1;
        for (int i = 0; i < Long.BYTES; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }

    /** What one thread reuses from record to record. */
    private static final class Coders<T> {
        private final SpecificDatumWriter<T> writer;
        private final SpecificDatumReader<T> reader;
        private final Map<Long, SpecificDatumReader<T>> earlierReaders = new HashMap<>();
        private Output output;
        private BinaryEncoder encoder;
        private BinaryDecoder decoder;

        Coders(SpecificData model, Schema schema, Map<Long, Schema> earlier) {
            this.writer = new SpecificDatumWriter<>(schema, model);
            this.reader = new SpecificDatumReader<>(schema, schema, model);
            earlier.forEach((fingerprint, version) ->
                    earlierReaders.put(fingerprint, new SpecificDatumReader<>(version, schema, model)));
            renew();
        }

        /** A fresh output buffer with an encoder bound to it, after a large record or a failed one. */
        void renew() {
            output = new Output();
            encoder = EncoderFactory.get().binaryEncoder(output, encoder);
        }
    }

    /** A growing byte array, unsynchronised: only its own thread writes it. */
    private static final class Output extends OutputStream {
        private byte[] buf = new byte[512];
        private int count;

        void reset() {
            count = 0;
        }

        int capacity() {
            return buf.length;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, count);
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            ensure(length);
            System.arraycopy(bytes, offset, buf, count, length);
            count += length;
        }

        private void ensure(int more) {
            if (count + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }
    }
}
