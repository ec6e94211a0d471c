package io.polyglot.projection;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.projection.domain.ProjectedEvent;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
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
}
