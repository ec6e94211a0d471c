package io.polyglot.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    private final EventCodec codec = EventCodec.standard();

    @Test
    void roundTripsAnEnvelopeWithItsNestedPayload() {
        // given
        ActivityRecorded payload = activity();
        EventEnvelope envelope = envelope(codec.encodePayload(payload));

        // when
        byte[] bytes = codec.encode(envelope);
        EventEnvelope decoded = codec.decode(bytes);

        // then
        assertThat(decoded).isEqualTo(envelope);
        assertThat(codec.decodePayload(decoded.getPayload())).isEqualTo(payload);
        assertThat(codec.encodedSize(envelope)).isEqualTo(bytes.length);
    }

    @Test
    void writesSingleObjectEncodingWithTheEnvelopeFingerprint() {
        // given
        EventEnvelope envelope = envelope(codec.encodePayload(activity()));

        // when
        byte[] bytes = codec.encode(envelope);

        // then
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint =
                ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint).isEqualTo(KnownSchemas.fingerprint(KnownSchemas.envelope()));
        assertThat(EventCodec.fingerprintOf(bytes)).isEqualTo(fingerprint);
    }

    @Test
    void nestsThePayloadInSingleObjectEncodingOfItsOwnSchema() {
        // when
        ByteBuffer payload = codec.encodePayload(activity());

        // then
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        assertThat(EventCodec.fingerprintOf(bytes))
                .isEqualTo(KnownSchemas.fingerprint(ActivityRecorded.getClassSchema()));
    }

    @Test
    void encodesTheSameBytesAsTheGeneratedEncoders() throws Exception {
        // given
        ActivityRecorded payload = activity();
        EventEnvelope envelope = envelope(payload.toByteBuffer());

        // when
        ByteBuffer ourPayload = codec.encodePayload(payload);
        byte[] ourEnvelope = codec.encode(envelope);

        // then
        assertThat(ourPayload).isEqualTo(payload.toByteBuffer());
        assertThat(ourEnvelope).isEqualTo(array(envelope.toByteBuffer()));
    }

    @Test
    void encodesASmallPayloadRightAfterOneLargerThanTheKeptBuffer() throws Exception {
        // given
        ActivityRecorded large = ActivityRecorded.newBuilder(activity())
                .setAttributes(Map.of("note", "x".repeat(200_000)))
                .build();
        ActivityRecorded small = activity();

        // when
        ByteBuffer first = codec.encodePayload(large);
        ByteBuffer second = codec.encodePayload(small);

        // then
        assertThat(first).isEqualTo(large.toByteBuffer());
        assertThat(second).isEqualTo(small.toByteBuffer());
    }

    @Test
    void encodesTheBodyAsTheBytesAfterTheHeaderOfTheSingleObjectEncoding() {
        // given
        EventEnvelope envelope = envelope(codec.encodePayload(activity()));
        byte[] bytes = codec.encode(envelope);

        // when
        ByteBuffer body = codec.encodeBody(envelope);

        // then
        assertThat(array(body)).isEqualTo(Arrays.copyOfRange(bytes, EventCodec.HEADER_LENGTH, bytes.length));
        assertThat(codec.decodeBody(body)).isEqualTo(envelope);
        ByteBuffer inLargerArray =
                ByteBuffer.wrap(bytes, EventCodec.HEADER_LENGTH, bytes.length - EventCodec.HEADER_LENGTH);
        assertThat(codec.decodeBody(inLargerArray)).isEqualTo(envelope);
    }

    @Test
    void refusesABodyWithBytesAfterTheEnvelope() {
        // given
        byte[] body = array(codec.encodeBody(envelope(codec.encodePayload(activity()))));
        ByteBuffer bodyWithTrailer = ByteBuffer.wrap(Arrays.copyOf(body, body.length + 3));

        // then
        assertThatThrownBy(() -> codec.decodeBody(bodyWithTrailer))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("bytes follow the envelope body");
    }

    @Test
    void encodesAStringOfMalformedUtf8AsTheReplacementItWasReadAs() {
        // given a value whose aggregate id is the single byte 0xFF, no UTF-8 at all
        EventEnvelope envelope = envelope(codec.encodePayload(activity()));
        envelope.setAggregateId("X");
        byte[] canonical = codec.encode(envelope);
        int idAt = indexOf(canonical, new byte[] {2, 'X'}, EventCodec.HEADER_LENGTH) + 1;
        byte[] malformed = canonical.clone();
        malformed[idAt] = (byte) 0xFF;

        // when
        EventEnvelope decoded = codec.decode(malformed);

        // then the id reads as U+FFFD, and the body holds that character's three bytes, not the value's one
        assertThat(decoded.getAggregateId()).isEqualTo("\uFFFD");
        ByteBuffer body = codec.encodeBody(decoded);
        assertThat(body.remaining()).isEqualTo(malformed.length - EventCodec.HEADER_LENGTH + 2);
        assertThat(codec.decodeBody(body)).isEqualTo(decoded);
    }

    @Test
    void encodesOverLongVarintsOfAValueTheShortWayInItsBody() {
        // given a value whose aggregate version (0) is written in two bytes, 0x80 0x00, which Avro reads as 0
        EventEnvelope envelope = envelope(codec.encodePayload(activity()));
        byte[] canonical = codec.encode(envelope);
        ByteBuffer body = codec.encodeBody(envelope);
        int versionAt = EventCodec.HEADER_LENGTH + versionOffset(envelope);
        assertThat(canonical[versionAt]).isZero();
        byte[] longer = new byte[canonical.length + 1];
        System.arraycopy(canonical, 0, longer, 0, versionAt);
        longer[versionAt] = (byte) 0x80;
        longer[versionAt + 1] = 0;
        System.arraycopy(canonical, versionAt + 1, longer, versionAt + 2, canonical.length - versionAt - 1);

        // when
        EventEnvelope decoded = codec.decode(longer);

        // then it decodes to the same envelope, whose body is the canonical one
        assertThat(decoded).isEqualTo(envelope);
        assertThat(codec.encodeBody(decoded)).isEqualTo(body);
    }

    @Test
    void refusesATruncatedEnvelopeBody() {
        // given
        ByteBuffer body = codec.encodeBody(envelope(codec.encodePayload(activity())));
        ByteBuffer truncated = ByteBuffer.wrap(Arrays.copyOf(array(body), body.remaining() - 5));

        // then
        assertThatThrownBy(() -> codec.decodeBody(truncated))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("envelope body cannot be decoded");
    }

    /** Where the aggregate version starts in an envelope's body: after the strings written before it. */
    private static int versionOffset(EventEnvelope envelope) {
        int offset = 0;
        for (Schema.Field field : KnownSchemas.envelope().getFields()) {
            if (field.name().equals("aggregateVersion")) {
                return offset;
            }
            String value = String.valueOf(envelope.get(field.pos()));
            int length = value.getBytes(StandardCharsets.UTF_8).length;
            if (field.schema().getType() != Schema.Type.STRING || length > 63) {
                throw new IllegalStateException("the test expects short strings before aggregateVersion");
            }
            offset += 1 + length;
        }
        throw new IllegalStateException("no aggregateVersion field");
    }

    @Test
    void refusesGarbageAsUndecodable() {
        assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3}))
                .isInstanceOf(UndecodableRecordException.class)
                .isNotInstanceOf(UnknownSchemaException.class);
        assertThatThrownBy(() -> codec.decode(null)).isInstanceOf(UndecodableRecordException.class);
    }

    @Test
    void namesTheFingerprintOfAnUnknownSchema() {
        // given a valid header naming a fingerprint nobody wrote
        byte[] bytes = codec.encode(envelope(codec.encodePayload(activity())));
        ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(2, 42L);

        // then
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOfSatisfying(
                        UnknownSchemaException.class,
                        e -> assertThat(e.fingerprint()).isEqualTo(42L));
    }

    @Test
    void refusesATruncatedBody() {
        byte[] bytes = codec.encode(envelope(codec.encodePayload(activity())));
        byte[] truncated = java.util.Arrays.copyOf(bytes, 20);

        assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(UndecodableRecordException.class);
    }

    @Test
    void refusesALengthNoJavaArrayHoldsAsUndecodable() throws Exception {
        // given: bodies whose first string claims 2^40 bytes, past what Avro reads into a Java array
        byte[] envelope = withHugeFirstLength(KnownSchemas.envelope());
        byte[] payload = withHugeFirstLength(ActivityRecorded.getClassSchema());
        SingleObjectFormat<EventEnvelope> format =
                SingleObjectFormat.of(SpecificData.getForClass(EventEnvelope.class), KnownSchemas.envelope());

        // then
        assertThatThrownBy(() -> codec.decode(envelope))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("envelope body cannot be decoded");
        assertThatThrownBy(() -> codec.decodePayload(ByteBuffer.wrap(payload)))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("payload body cannot be decoded");
        assertThatThrownBy(() -> format.decode(envelope))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("body cannot be decoded");
    }

    @Test
    void refusesALengthLongerThanAnyRecordBeforeAllocatingIt() throws Exception {
        // given: an envelope of 19 bytes whose first string claims 200 MB, which a stream decoder would allocate first
        byte[] envelope = withFirstLength(KnownSchemas.envelope(), 200_000_000L);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();

        // when / then
        assertThatThrownBy(() -> codec.decode(envelope)).isInstanceOf(UndecodableRecordException.class);
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(AvroLimits.MAX_LENGTH);
        assertThat(AvroLimits.MAX_LENGTH).isEqualTo(16 * 1_048_576 + 65_536);
    }

    private static byte[] withHugeFirstLength(Schema schema) throws IOException {
        return withFirstLength(schema, 1L << 40);
    }

    private static byte[] withFirstLength(Schema schema, long length) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xC3, 0x01});
        out.write(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(KnownSchemas.fingerprint(schema))
                .array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        encoder.writeLong(length);
        encoder.writeFixed(new byte[4]);
        encoder.flush();
        return out.toByteArray();
    }

    @Test
    void refusesAPayloadOfAnUnknownSchema() {
        ByteBuffer payload = codec.encodePayload(activity());
        payload.duplicate().order(ByteOrder.LITTLE_ENDIAN).putLong(payload.position() + 2, 7L);

        assertThatThrownBy(() -> codec.decodePayload(payload)).isInstanceOf(UnknownSchemaException.class);
    }

    @Test
    void knowsEveryPayloadSchemaByFingerprint() {
        for (var type : EventTypes.all().entrySet()) {
            long fingerprint = KnownSchemas.fingerprint(
                    org.apache.avro.specific.SpecificData.get().getSchema(type.getValue()));
            assertThat(KnownSchemas.byFingerprint(fingerprint)).isPresent();
        }
        assertThat(KnownSchemas.hex(255L)).isEqualTo("00000000000000ff");
    }

    @Test
    void documentsEveryFieldOfEverySchema() {
        for (var schema : KnownSchemas.all().values()) {
            assertThat(schema.getDoc()).as(schema.getFullName()).isNotBlank();
            schema.getFields()
                    .forEach(field -> assertThat(field.doc())
                            .as(schema.getName() + "." + field.name())
                            .isNotBlank());
        }
    }

    static ActivityRecorded activity() {
        return ActivityRecorded.newBuilder()
                .setActivity("A_SUBMITTED")
                .setLifecycle("COMPLETE")
                .setResource("112")
                .setOccurredAt(Instant.parse("2011-09-30T22:38:44.546Z"))
                .setAttributes(Map.of("AMOUNT_REQ", "20000"))
                .build();
    }

    static EventEnvelope envelope(ByteBuffer payload) {
        return EventEnvelope.newBuilder()
                .setEventId("0b6c1f3e-2c4f-4e7e-9d7a-3b1f0e8c9a11")
                .setAggregateType("LoanApplication")
                .setAggregateId("173688")
                .setAggregateVersion(0)
                .setType(EventTypes.ACTIVITY_RECORDED)
                .setOccurredAt(Instant.parse("2011-09-30T22:38:44.546Z"))
                .setRecordedAt(Instant.parse("2026-12-04T09:00:00.123456Z"))
                .setCommandId("c-1")
                .setCorrelationId("c-1")
                .setCausationId("c-1")
                .setPayload(payload)
                .build();
    }

    private static int indexOf(byte[] bytes, byte[] part, int from) {
        for (int i = from; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    private static byte[] array(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
