package io.polyglot.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;
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
}
