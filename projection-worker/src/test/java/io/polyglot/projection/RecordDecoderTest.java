package io.polyglot.projection;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.projection.domain.ProjectedEvent;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {

    private static final Instant AT = Instant.parse("2011-10-01T09:51:15.304123Z");

    private final RecordDecoder decoder = new RecordDecoder(Envelopes.CODEC);

    @Test
    void turnsAnActivityOfALoanApplicationIntoAProjectedEvent() {
        byte[] value = Envelopes.CODEC.encode(Envelopes.activity(
                "LoanApplication", "Application_1", "A_SUBMITTED", "COMPLETE", AT, Map.of("AMOUNT_REQ", "20000")));

        RecordDecoder.Decoded decoded = decoder.decode(3, 42, value);

        assertThat(decoded)
                .isInstanceOfSatisfying(
                        RecordDecoder.Projectable.class,
                        projectable -> assertThat(projectable.event())
                                .isEqualTo(new ProjectedEvent(
                                        3,
                                        42,
                                        "LoanApplication",
                                        "Application_1",
                                        0,
                                        "A_SUBMITTED",
                                        "COMPLETE",
                                        AT,
                                        Map.of("AMOUNT_REQ", "20000"))));
    }

    @Test
    void skipsBytesThatAreNotAnEnvelope() {
        byte[] value = "not avro".getBytes(StandardCharsets.UTF_8);

        RecordDecoder.Decoded decoded = decoder.decode(0, 7, value);

        assertThat(decoded)
                .isInstanceOfSatisfying(
                        RecordDecoder.Skipped.class,
                        skipped -> assertThat(skipped.reason()).isEqualTo(SkipReason.UNDECODABLE));
    }

    @Test
    void skipsAnAggregateTypeNoProjectionFolds() {
        byte[] value = Envelopes.CODEC.encode(Envelopes.activity("Invoice", "Invoice 1", "Sent", null, AT, Map.of()));

        RecordDecoder.Decoded decoded = decoder.decode(0, 8, value);

        assertThat(decoded)
                .isInstanceOfSatisfying(
                        RecordDecoder.Skipped.class,
                        skipped -> assertThat(skipped.reason()).isEqualTo(SkipReason.UNKNOWN_AGGREGATE_TYPE));
    }

    @Test
    void skipsAnEventTypeThatCarriesNoActivity() {
        EventEnvelope envelope = Envelopes.activity("HelpdeskTicket", "Case 1", "Insert ticket", null, AT, Map.of());
        envelope.setType("TicketMerged");

        RecordDecoder.Decoded decoded = decoder.decode(0, 9, Envelopes.CODEC.encode(envelope));

        assertThat(decoded)
                .isInstanceOfSatisfying(
                        RecordDecoder.Skipped.class,
                        skipped -> assertThat(skipped.reason()).isEqualTo(SkipReason.UNPROJECTED_EVENT_TYPE));
    }

    @Test
    void readsTheCommonRecordsTheShortWayWithTheFieldsTheFullDecodeGives() throws Exception {
        ActivityReader reader = new ActivityReader(Set.of("LoanApplication", "HelpdeskTicket", "WeatherStation"));
        assertThat(ActivityReader.KNOWS_THE_SCHEMAS).isTrue();
        for (EventEnvelope envelope : varied()) {
            byte[] value = Envelopes.CODEC.encode(envelope);

            RecordDecoder.Decoded inFull = decoder.decodeInFull(1, 2, value);

            assertThat(inFull).isInstanceOf(RecordDecoder.Projectable.class);
            assertThat(reader.read(1, 2, value)).isEqualTo(((RecordDecoder.Projectable) inFull).event());
            assertThat(decoder.decode(1, 2, value)).isEqualTo(inFull);
        }
    }

    @Test
    void judgesEveryCutAndEveryChangedByteAsTheFullDecodeDoes() {
        for (EventEnvelope envelope : varied()) {
            byte[] value = Envelopes.CODEC.encode(envelope);
            for (int length = 0; length < value.length; length++) {
                assertSameVerdict(Arrays.copyOf(value, length));
            }
            for (int at = 0; at < value.length; at++) {
                for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                    byte[] changed = value.clone();
                    changed[at] ^= (byte) mask;
                    assertSameVerdict(changed);
                }
            }
            byte[] longer = Arrays.copyOf(value, value.length + 3);
            assertSameVerdict(longer);
        }
    }

    @Test
    void turnsTimestampMicrosIntoTheInstantAvroMakes() {
        for (long micros : new long[] {0, 1, -1, 999_999, -999_999, 1_000_000, -1_000_001, Long.MAX_VALUE}) {
            EventEnvelope envelope = Envelopes.activity("WeatherStation", "w", "reading", null, AT, Map.of());
            envelope.setOccurredAt(Instant.EPOCH.plus(micros, ChronoUnit.MICROS));
            byte[] value = Envelopes.CODEC.encode(envelope);

            assertThat(ActivityReader.instantOfMicros(micros)).isEqualTo(envelope.getOccurredAt());
            assertThat(decoder.decode(0, 0, value)).isEqualTo(decoder.decodeInFull(0, 0, value));
        }
    }

    private void assertSameVerdict(byte[] value) {
        RecordDecoder.Decoded shortWay = decoder.decode(0, 5, value);
        RecordDecoder.Decoded inFull = decoder.decodeInFull(0, 5, value);
        if (inFull instanceof RecordDecoder.Skipped skipped) {
            assertThat(shortWay)
                    .as("verdict on %s", HexFormat.of().formatHex(value))
                    .isInstanceOfSatisfying(RecordDecoder.Skipped.class, other -> {
                        assertThat(other.reason()).isEqualTo(skipped.reason());
                        assertThat(other.detail()).isEqualTo(skipped.detail());
                    });
        } else {
            assertThat(shortWay)
                    .as("verdict on %s", HexFormat.of().formatHex(value))
                    .isEqualTo(inFull);
        }
    }

    /**
     * Activities of every projected type, with and without the optional fields, with empty, long and non-ASCII text.
     */
    private static List<EventEnvelope> varied() {
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            many.put("attribute " + i, "value ".repeat(i));
        }
        EventEnvelope withResource =
                Envelopes.activity("HelpdeskTicket", "Case 17", "Resolve ticket", "complete", AT, many);
        ByteBuffer payload = Envelopes.CODEC.encodePayload(ActivityRecorded.newBuilder()
                .setActivity("Resolve ticket")
                .setLifecycle(null)
                .setResource("Value 3")
                .setOccurredAt(AT.plusSeconds(1))
                .setAttributes(Map.of("product", "Prod 4"))
                .build());
        withResource.setPayload(payload);
        withResource.setAggregateVersion(Long.MAX_VALUE);
        // Empty strings in the fields the short way skips: a changed length byte there turns 0 into a negative length.
        EventEnvelope emptySkipped =
                Envelopes.activity("LoanApplication", "Application_3", "A_ACCEPTED", null, AT, Map.of());
        emptySkipped.setEventId("");
        emptySkipped.setCommandId("");
        emptySkipped.setCorrelationId("");
        emptySkipped.setCausationId("");
        emptySkipped.setRecordedAt(AT);
        emptySkipped.setPayload(Envelopes.CODEC.encodePayload(ActivityRecorded.newBuilder()
                .setActivity("A_ACCEPTED")
                .setLifecycle(null)
                .setResource("")
                .setOccurredAt(AT)
                .setAttributes(Map.of())
                .build()));
        return List.of(
                emptySkipped,
                Envelopes.activity(
                        "LoanApplication",
                        "Application_1",
                        "A_SUBMITTED",
                        "COMPLETE",
                        AT,
                        Map.of("AMOUNT_REQ", "20000")),
                Envelopes.activity("LoanApplication", "Application_2", "W_Afhandelen leads", null, AT, Map.of()),
                Envelopes.activity(
                        "WeatherStation",
                        "Zürich-Fluntern ☔",
                        "réading",
                        "start",
                        Instant.parse("1901-12-13T20:45:52.000001Z"),
                        Map.of("température", "-3,5 °C", "", "")),
                withResource);
    }
}
