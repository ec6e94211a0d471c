package io.polyglot.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.schemas.avro.ActivityRecorded;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

class SingleObjectFormatTest {

    /** An earlier version of {@code ActivityRecorded}, for tests: without {@code resource}, added since. */
    private static final Schema EARLIER = new Schema.Parser().parse("""
            {"type": "record", "name": "ActivityRecorded", "namespace": "io.polyglot.schemas.avro",
             "doc": "An activity happened to an aggregate (an earlier version, for tests).",
             "fields": [
               {"name": "activity", "type": "string", "doc": "Name of the activity."},
               {"name": "lifecycle", "type": ["null", "string"], "default": null, "doc": "Transition."},
               {"name": "occurredAt", "type": {"type": "long", "logicalType": "timestamp-micros"}, "doc": "When."},
               {"name": "attributes", "type": {"type": "map", "values": "string"}, "default": {}, "doc": "Others."}
             ]}
            """);

    private static final Instant OCCURRED = Instant.parse("2011-10-01T00:38:44.546Z");

    @Test
    void readsAValueOfAnEarlierVersionItIsGivenWithTheDefaultOfAFieldAddedSince() {
        // given
        SingleObjectFormat<ActivityRecorded> format = format(List.of(EARLIER));

        // when
        ActivityRecorded read = format.decode(earlierValue());

        // then
        assertThat(read)
                .isEqualTo(ActivityRecorded.newBuilder()
                        .setActivity("A_SUBMITTED")
                        .setLifecycle("COMPLETE")
                        .setResource(null)
                        .setOccurredAt(OCCURRED)
                        .setAttributes(Map.of("amount", "20000"))
                        .build());
    }

    @Test
    void refusesAValueOfAnEarlierVersionItIsNotGiven() {
        // given
        SingleObjectFormat<ActivityRecorded> format = format(List.of());

        // when, then
        assertThatThrownBy(() -> format.decode(earlierValue()))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("fingerprint");
    }

    @Test
    void refusesAnEarlierVersionThatThisBuildsSchemaCannotRead() {
        // given: an activity that was a number
        Schema retyped = new Schema.Parser()
                .parse(EARLIER.toString()
                        .replace(
                                "\"name\":\"activity\",\"type\":\"string\"", "\"name\":\"activity\",\"type\":\"int\""));
        assertThat(retyped.getField("activity").schema().getType()).isEqualTo(Schema.Type.INT);

        // when, then
        assertThatThrownBy(() -> format(List.of(retyped))).isInstanceOf(IllegalArgumentException.class);
    }

    private static SingleObjectFormat<ActivityRecorded> format(List<Schema> earlier) {
        return SingleObjectFormat.of(
                SpecificData.getForClass(ActivityRecorded.class), ActivityRecorded.getClassSchema(), earlier);
    }

    private static byte[] earlierValue() {
        GenericRecord record = new GenericData.Record(EARLIER);
        record.put("activity", "A_SUBMITTED");
        record.put("lifecycle", "COMPLETE");
        record.put("occurredAt", 1_317_429_524_546_000L);
        record.put("attributes", Map.of("amount", "20000"));
        try {
            ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), EARLIER).encode(record);
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
