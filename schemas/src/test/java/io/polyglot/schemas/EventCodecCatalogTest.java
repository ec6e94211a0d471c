package io.polyglot.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/** A codec with a catalog reads what newer writers wrote; the catalog here is a map, the Kafka one is tested apart. */
class EventCodecCatalogTest {

    private final Map<Long, Schema> published = new ConcurrentHashMap<>();
    private final SchemaStore catalog = fingerprint -> published.get(fingerprint);
    private final EventCodec codec = EventCodec.withCatalog(catalog);

    @Test
    void decodesAPayloadOfANewerWriterSchemaWithEveryFieldInPlace() {
        // given
        ActivityRecorded activity = EventCodecTest.activity();
        ByteBuffer payload = NewerActivityRecorded.payload(activity, "branch");
        published.put(NewerActivityRecorded.fingerprint(), NewerActivityRecorded.SCHEMA);

        // when
        ActivityRecorded decoded = (ActivityRecorded) codec.decodePayload(payload);

        // then
        assertThat(decoded).isEqualTo(activity);
        assertThat(codec.schema(NewerActivityRecorded.fingerprint())).contains(NewerActivityRecorded.SCHEMA);
    }

    @Test
    void callsAPayloadUnknownUntilItsSchemaIsPublished() {
        // given
        ByteBuffer payload = NewerActivityRecorded.payload(EventCodecTest.activity(), null);

        // then
        assertThatThrownBy(() -> codec.decodePayload(payload))
                .isInstanceOfSatisfying(
                        UnknownSchemaException.class,
                        e -> assertThat(e.fingerprint()).isEqualTo(NewerActivityRecorded.fingerprint()));
        assertThatThrownBy(() -> EventCodec.standard().decodePayload(payload))
                .isInstanceOf(UnknownSchemaException.class);
        assertThat(codec.schema(NewerActivityRecorded.fingerprint())).isEmpty();
    }

    @Test
    void refusesAValueWhoseCatalogSchemaNamesAnotherRecordAsUndecodableNotUnknown() {
        // given an envelope position holding a payload-shaped value
        ByteBuffer payload = NewerActivityRecorded.payload(EventCodecTest.activity(), null);
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        published.put(NewerActivityRecorded.fingerprint(), NewerActivityRecorded.SCHEMA);

        // then
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(UndecodableRecordException.class)
                .isNotInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining("not io.polyglot.schemas.avro.EventEnvelope");
    }

    @Test
    void passesOnTheCatalogsOwnFailure() {
        // given a catalog that cannot be asked now
        EventCodec unreachable = EventCodec.withCatalog(fingerprint -> {
            throw new IllegalStateException("catalog unreachable");
        });
        ByteBuffer payload = NewerActivityRecorded.payload(EventCodecTest.activity(), null);

        // then
        assertThatThrownBy(() -> unreachable.decodePayload(payload))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("catalog unreachable");
    }

    @Test
    void decodesTheBuildsOwnEnvelopesAndPayloadsWithoutAskingTheCatalog() {
        // given
        EventCodec strict = EventCodec.withCatalog(fingerprint -> {
            throw new AssertionError("asked the catalog for " + fingerprint);
        });
        EventEnvelope envelope = EventCodecTest.envelope(strict.encodePayload(EventCodecTest.activity()));

        // when
        EventEnvelope decoded = strict.decode(strict.encode(envelope));

        // then
        assertThat(decoded).isEqualTo(envelope);
        assertThat(strict.decodePayload(decoded.getPayload())).isEqualTo(EventCodecTest.activity());
    }

    @Test
    void decodesANewerEnvelopeAndEncodesItsBodyInThisBuildsSchema() {
        // given an envelope written with a newer schema: one optional field more, at the end
        EventEnvelope envelope = EventCodecTest.envelope(codec.encodePayload(EventCodecTest.activity()));
        Schema current = KnownSchemas.envelope();
        List<Schema.Field> fields = new ArrayList<>();
        current.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        fields.add(new Schema.Field(
                "region",
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                "Added in the newer version.",
                Schema.Field.NULL_DEFAULT_VALUE));
        Schema newer = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
        GenericRecord written = new GenericData.Record(newer);
        current.getFields().forEach(field -> written.put(field.name(), envelope.get(field.pos())));
        written.put("region", "eu");
        byte[] bytes;
        try {
            bytes = new BinaryMessageEncoder<GenericRecord>(SpecificData.getForClass(EventEnvelope.class), newer)
                    .encode(written)
                    .array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        published.put(KnownSchemas.fingerprint(newer), newer);

        // when
        EventEnvelope decoded = codec.decode(bytes);
        ByteBuffer body = codec.encodeBody(decoded);

        // then the envelope has every field in place, and its body is in this build's schema, not the newer one
        assertThat(decoded).isEqualTo(envelope);
        assertThat(body.remaining()).isLessThan(bytes.length - EventCodec.HEADER_LENGTH);
        assertThat(codec.decodeBody(body)).isEqualTo(envelope);
    }
}
