package io.polyglot.archive.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.UndecodableRecordException;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import io.polyglot.testservers.TestEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Segment files read back whatever the process did before. */
class SegmentFormatTest {

    @Test
    void readsASegmentInAProcessWhoseAvroPolicyTrustsOnlyAvrosDefaults() throws Exception {
        // given: a segment written, then Avro's policy as a fresh process has it (a CLI that reads a segment before
        // it ever touched the codec)
        SegmentKey key = SegmentKey.of("Ticket", 2, 40);
        List<ArchivedEvent> events = List.of(
                new ArchivedEvent(40, TestEvents.event("Ticket", "T1", 1)),
                new ArchivedEvent(41, TestEvents.event("Ticket", "T1", 2)));
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        SegmentFormat.write(key, Topics.EVENTS_ALL, events, file);
        ClassSecurityPredicate before = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.DEFAULT);
        try {
            // when
            SegmentContents contents = SegmentFormat.read(new ByteArrayInputStream(file.toByteArray()));

            // then
            assertThat(contents.offsets()).containsExactly(40L, 41L);
            assertThat(contents.events())
                    .extracting(envelope -> envelope.getCommandId())
                    .containsExactly("Ticket-T1-1", "Ticket-T1-2");
        } finally {
            ClassSecurityValidator.setGlobal(before);
        }
    }

    @Test
    void writesTheBytesAvrosOwnWriterWritesForTheSameEventsAndHeader() throws Exception {
        // given: 2,000 events, enough for several blocks, some with an id of 4,000 characters, some not in ASCII
        SegmentKey key = SegmentKey.of("Ticket", 5, 20);
        List<ArchivedEvent> events = new ArrayList<>();
        for (int n = 0; n < 2_000; n++) {
            String id = n % 500 == 7 ? "T".repeat(4_000) : n % 3 == 0 ? "Tür-ß-✓" : "T" + n;
            events.add(new ArchivedEvent(20 + 2L * n, TestEvents.event("Ticket", id, n)));
        }
        ByteArrayOutputStream segment = new ByteArrayOutputStream();

        // when
        SegmentFormat.write(key, Topics.EVENTS_ALL, events, segment);

        // then: Avro's writer, given the header the format describes and each event to encode, writes the same bytes
        long payloadFingerprint = KnownSchemas.fingerprint(ActivityRecorded.getClassSchema());
        ByteArrayOutputStream byAvro = new ByteArrayOutputStream();
        try (DataFileWriter<EventEnvelope> writer =
                new DataFileWriter<>(new SpecificDatumWriter<>(EventEnvelope.class))) {
            writer.setCodec(CodecFactory.nullCodec());
            writer.setMeta(SegmentFormat.SOURCE_TOPIC, Topics.EVENTS_ALL);
            writer.setMeta(SegmentFormat.SOURCE_PARTITION, "5");
            writer.setMeta(
                    SegmentFormat.SOURCE_OFFSETS,
                    events.stream().map(event -> Long.toString(event.offset())).collect(Collectors.joining(",")));
            writer.setMeta(
                    SegmentFormat.PAYLOAD_SCHEMA_PREFIX + KnownSchemas.hex(payloadFingerprint),
                    ActivityRecorded.getClassSchema().toString());
            writer.create(KnownSchemas.envelope(), byAvro, SegmentFormat.syncMarker(key));
            for (ArchivedEvent event : events) {
                writer.append(event.envelope());
            }
        }
        assertThat(segment.toByteArray()).isEqualTo(byAvro.toByteArray());
        // one sync marker after the header and one after each block
        assertThat(occurrences(segment.toByteArray(), SegmentFormat.syncMarker(key)))
                .isGreaterThan(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "deflate", "snappy", "bzip2", "xz", "zstandard"})
    void readsASegmentWhoseBlocksAreCompressedWithAnyCodecAvroNames(String codec) throws Exception {
        // given: a segment as the archiver writes it (uncompressed), written again with the codec, metadata and all
        SegmentKey key = SegmentKey.of("Ticket", 3, 7);
        List<ArchivedEvent> events = List.of(
                new ArchivedEvent(7, TestEvents.event("Ticket", "T1", 1)),
                new ArchivedEvent(9, TestEvents.event("Ticket", "T1", 2)));
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        SegmentFormat.write(key, Topics.EVENTS_ALL, events, plain);
        byte[] compressed = withCodec(plain.toByteArray(), CodecFactory.fromString(codec));
        try (DataFileStream<EventEnvelope> written = new DataFileStream<>(
                new ByteArrayInputStream(compressed), new SpecificDatumReader<>(EventEnvelope.class))) {
            assertThat(Objects.requireNonNullElse(written.getMetaString("avro.codec"), "null"))
                    .isEqualTo(codec);
        }

        // when
        SegmentContents contents = SegmentFormat.read(new ByteArrayInputStream(compressed));

        // then
        assertThat(contents.offsets()).containsExactly(7L, 9L);
        assertThat(contents.events())
                .containsExactlyElementsOf(
                        events.stream().map(ArchivedEvent::envelope).toList());
        assertThat(contents.payloadSchemas())
                .isEqualTo(SegmentFormat.read(new ByteArrayInputStream(plain.toByteArray()))
                        .payloadSchemas());
    }

    @Test
    void refusesAFileWhoseHeaderNamesACodecAvroDoesNotKnow() throws Exception {
        // given: the container magic, the envelope schema, a codec named lzma and the sync marker
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        BinaryEncoder encoder = metadataOf(file, 2);
        encoder.writeString("avro.schema");
        encoder.writeBytes(EventEnvelope.getClassSchema().toString().getBytes(StandardCharsets.UTF_8));
        encoder.startItem();
        encoder.writeString("avro.codec");
        encoder.writeBytes("lzma".getBytes(StandardCharsets.UTF_8));
        encoder.writeMapEnd();
        encoder.writeFixed(new byte[16]);
        encoder.flush();

        // then
        assertThatThrownBy(() -> SegmentFormat.read(new ByteArrayInputStream(file.toByteArray())))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("not a readable segment file")
                .hasMessageContaining("lzma");
    }

    @Test
    void refusesAFileWhoseHeaderNamesALengthNoJavaArrayHolds() throws Exception {
        // given: the container magic, one metadata entry, and a key length of 2^40 bytes
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        BinaryEncoder encoder = metadataOf(file, 1);
        encoder.writeLong(1L << 40);
        encoder.flush();

        // then: undecodable, as any other bytes that are no segment
        assertThatThrownBy(() -> SegmentFormat.read(new ByteArrayInputStream(file.toByteArray())))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("not a readable segment file");
    }

    @Test
    void refusesASnappyBlockWhoseLengthIsCorrupt() throws Exception {
        // given: a container of one event compressed with snappy, its block's uncompressed length changed to 2^32 - 1
        byte[] sync = new byte[16];
        Arrays.fill(sync, (byte) 0x5A);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (DataFileWriter<EventEnvelope> writer =
                new DataFileWriter<>(new SpecificDatumWriter<>(EventEnvelope.class))) {
            writer.setCodec(CodecFactory.snappyCodec());
            writer.create(EventEnvelope.getClassSchema(), file, sync);
            writer.append(TestEvents.event("Ticket", "T1", 1));
        }
        byte[] bytes = file.toByteArray();
        int block = indexOf(bytes, sync) + sync.length;
        BinaryDecoder header = DecoderFactory.get().binaryDecoder(bytes, block, bytes.length - block, null);
        header.readLong(); // events in the block
        header.readLong(); // bytes in the block
        int data = bytes.length - header.inputStream().available();
        byte[] corrupt = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
        System.arraycopy(corrupt, 0, bytes, data, corrupt.length);

        // then
        assertThatThrownBy(() -> SegmentFormat.read(new ByteArrayInputStream(bytes)))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("not a readable segment file");
    }

    /**
     * Writes a container's magic to {@code file} and starts its metadata map of {@code entries} entries; the encoder
     * returned writes the first entry's key next.
     */
    private static BinaryEncoder metadataOf(ByteArrayOutputStream file, int entries) throws IOException {
        file.write(new byte[] {'O', 'b', 'j', 1});
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(file, null);
        encoder.writeMapStart();
        encoder.setItemCount(entries);
        encoder.startItem();
        return encoder;
    }

    /** The same container with its blocks compressed by {@code codec}: every event and metadata entry kept. */
    private static byte[] withCodec(byte[] segment, CodecFactory codec) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileStream<EventEnvelope> in = new DataFileStream<>(
                        new ByteArrayInputStream(segment), new SpecificDatumReader<>(EventEnvelope.class));
                DataFileWriter<EventEnvelope> writer =
                        new DataFileWriter<>(new SpecificDatumWriter<>(EventEnvelope.class))) {
            for (String name : in.getMetaKeys()) {
                if (!name.startsWith("avro.")) {
                    writer.setMeta(name, in.getMeta(name));
                }
            }
            writer.setCodec(codec);
            writer.create(in.getSchema(), out);
            for (EventEnvelope event : in) {
                writer.append(event);
            }
        }
        return out.toByteArray();
    }

    private static int occurrences(byte[] bytes, byte[] part) {
        int count = 0;
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                count++;
            }
        }
        return count;
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
