package io.polyglot.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.archive.store.ArchivedEvent;
import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentKey;
import io.polyglot.archiver.SealedSegment.SealReason;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.avro.EventEnvelope;
import io.polyglot.testservers.TestEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentBuilderTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path journalDir;

    private SegmentBuilder builder;

    @BeforeEach
    void createBuilder() {
        builder = new SegmentBuilder(100, Duration.ofSeconds(5), journalDir);
    }

    @Test
    void sealsASegmentAsSoonAsItHoldsTheMostEventsAllowed() {
        // given / when
        List<SealedSegment> sealed = new ArrayList<>();
        for (int offset = 0; offset < 250; offset++) {
            builder.append(0, offset, TestEvents.event("Loan", "L1", offset), T0)
                    .ifPresent(sealed::add);
        }

        // then
        assertThat(sealed).hasSize(2);
        assertThat(sealed).allSatisfy(segment -> {
            assertThat(segment.events().count()).isEqualTo(100);
            assertThat(segment.reason()).isEqualTo(SealReason.FULL);
        });
        assertThat(sealed.get(0).firstOffset()).isZero();
        assertThat(sealed.get(0).lastOffset()).isEqualTo(99);
        assertThat(sealed.get(1).firstOffset()).isEqualTo(100);
        assertThat(builder.openEvents()).isEqualTo(50);
        assertThat(builder.oldestOpenOffset(0)).hasValue(200);
    }

    @Test
    void keepsTheEventsOfASegmentInOffsetOrder() {
        // given
        for (long offset : new long[] {3, 7, 8, 20}) {
            builder.append(1, offset, TestEvents.event("Loan", "L1", (int) offset), T0);
        }

        // when
        List<SealedSegment> sealed = builder.sealAll();

        // then
        assertThat(sealed)
                .singleElement()
                .satisfies(segment -> assertThat(eventsOf(segment))
                        .extracting(ArchivedEvent::offset)
                        .containsExactly(3L, 7L, 8L, 20L));
    }

    @Test
    void sealsAnIdleSegmentOnlyOnceTheIdleTimeHasPassed() {
        // given
        builder.append(0, 0, TestEvents.event("Loan", "L1", 0), T0);

        // when
        List<SealedSegment> early = builder.sealIdle(T0.plusMillis(4_999));
        List<SealedSegment> due = builder.sealIdle(T0.plusSeconds(5));

        // then
        assertThat(early).isEmpty();
        assertThat(due).singleElement().satisfies(segment -> {
            assertThat(segment.reason()).isEqualTo(SealReason.IDLE);
            assertThat(segment.events().count()).isEqualTo(1);
        });
        assertThat(builder.openEvents()).isZero();
    }

    @Test
    void startsTheIdleTimeAgainWithEveryNewEvent() {
        // given
        builder.append(0, 0, TestEvents.event("Loan", "L1", 0), T0);
        builder.append(0, 1, TestEvents.event("Loan", "L1", 1), T0.plusSeconds(4));

        // when
        List<SealedSegment> atFiveSeconds = builder.sealIdle(T0.plusSeconds(5));
        List<SealedSegment> atNineSeconds = builder.sealIdle(T0.plusSeconds(9));

        // then
        assertThat(atFiveSeconds).isEmpty();
        assertThat(atNineSeconds)
                .singleElement()
                .satisfies(s -> assertThat(s.events().count()).isEqualTo(2));
    }

    @Test
    void keepsEachAggregateTypeAndPartitionInASegmentOfItsOwn() {
        // given
        builder.append(0, 0, TestEvents.event("Loan", "L1", 0), T0);
        builder.append(0, 1, TestEvents.event("Ticket", "T1", 1), T0);
        builder.append(1, 0, TestEvents.event("Loan", "L2", 2), T0);
        builder.append(0, 2, TestEvents.event("Loan", "L1", 3), T0);

        // when
        List<SealedSegment> sealed = builder.sealAll();

        // then
        assertThat(sealed)
                .extracting(
                        segment -> segment.key().value(),
                        segment -> segment.events().count())
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("events/Loan/p000/00000000000000000000.avro", 2),
                        org.assertj.core.groups.Tuple.tuple("events/Ticket/p000/00000000000000000001.avro", 1),
                        org.assertj.core.groups.Tuple.tuple("events/Loan/p001/00000000000000000000.avro", 1));
        assertThat(sealed)
                .allSatisfy(segment -> assertThat(eventsOf(segment))
                        .allSatisfy(e -> assertThat(e.envelope().getAggregateType())
                                .isEqualTo(segment.chain().aggregateType())));
    }

    @Test
    void refusesAnEventWhoseOffsetIsNotAfterTheLastOneOfItsChain() {
        // given
        builder.append(0, 5, TestEvents.event("Loan", "L1", 0), T0);

        // when / then
        assertThatThrownBy(() -> builder.append(0, 5, TestEvents.event("Loan", "L1", 1), T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 5");
    }

    @Test
    void reportsTheOldestOpenOffsetAcrossTheTypesOfAPartition() {
        // given
        builder.append(0, 4, TestEvents.event("Ticket", "T1", 0), T0);
        builder.append(0, 2, TestEvents.event("Loan", "L1", 1), T0);

        // when
        Optional<Long> oldest = builder.oldestOpenOffset(0).stream().boxed().findFirst();

        // then
        assertThat(oldest).contains(2L);
    }

    @Test
    void skipsTheEventsStorageAlreadyHoldsForAChain() {
        // given
        builder.resumeAfter("events/Ticket/p000/", 14);

        // when
        Optional<SealedSegment> skipped = builder.append(0, 12, TestEvents.event("Ticket", "X", 12), T0);
        builder.append(0, 13, TestEvents.event("Loan", "X", 13), T0);
        builder.append(0, 15, TestEvents.event("Ticket", "X", 15), T0);

        // then
        assertThat(skipped).isEmpty();
        assertThat(builder.sealAll())
                .extracting(segment -> segment.key().value())
                .containsExactly(
                        "events/Loan/p000/00000000000000000013.avro", "events/Ticket/p000/00000000000000000015.avro");
    }

    @Test
    void streamsTheEventsOfAnOpenSegmentToItsJournalOnDisk() throws IOException {
        // given
        for (int n = 0; n < 3; n++) {
            builder.append(2, 40 + n, TestEvents.event("Loan", "L1", n), T0);
        }
        Path journal = journalDir.resolve("events/Loan/p002/00000000000000000040.avro.journal");

        // when
        List<SealedSegment> sealed = builder.sealAll();

        // then
        assertThat(journal).exists();
        assertThat(builder.openBytes()).isZero();
        assertThat(sealed.get(0).events().bytes()).isEqualTo(Files.size(journal));
        assertThat(eventsOf(sealed.get(0)))
                .extracting(ArchivedEvent::envelope)
                .containsExactly(
                        TestEvents.event("Loan", "L1", 0),
                        TestEvents.event("Loan", "L1", 1),
                        TestEvents.event("Loan", "L1", 2));
        sealed.get(0).events().discard();
        assertThat(journal).doesNotExist();
    }

    @Test
    void deletesTheJournalsARunBeforeLeftBehind() throws IOException {
        // given
        builder.append(0, 0, TestEvents.event("Loan", "L1", 0), T0);
        assertThat(builder.openBytes()).isPositive();

        // when
        SegmentBuilder next = new SegmentBuilder(100, Duration.ofSeconds(5), journalDir);

        // then
        assertThat(next.openEvents()).isZero();
        try (var files = Files.walk(journalDir)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void writesTheSameSegmentFromItsJournalAsFromItsEventsInMemory() throws IOException {
        // given
        List<ArchivedEvent> events = new ArrayList<>();
        Optional<SealedSegment> sealed = Optional.empty();
        SegmentBuilder three = new SegmentBuilder(3, Duration.ofSeconds(5), journalDir);
        for (int n = 0; n < 3; n++) {
            // the second event's body is larger than the journal's first read buffer
            EventEnvelope event = TestEvents.event("Loan", n == 1 ? "L".repeat(3_000) : "L1", n);
            events.add(new ArchivedEvent(10 + n, event));

            // when
            sealed = three.append(4, 10 + n, event, T0);
        }

        // then the file is byte for byte the one written from the events, and reads back as them
        assertThat(sealed).isPresent();
        SegmentKey key = sealed.get().key();
        ByteArrayOutputStream fromJournal = new ByteArrayOutputStream();
        SegmentFormat.write(key, "events.all", sealed.get().events(), fromJournal);
        ByteArrayOutputStream fromEvents = new ByteArrayOutputStream();
        SegmentFormat.write(key, "events.all", events, fromEvents);
        assertThat(fromJournal.toByteArray()).isEqualTo(fromEvents.toByteArray());
        assertThat(SegmentFormat.read(new ByteArrayInputStream(fromJournal.toByteArray()))
                        .events())
                .isEqualTo(events.stream().map(ArchivedEvent::envelope).toList());
    }

    private static List<ArchivedEvent> eventsOf(SealedSegment segment) {
        List<ArchivedEvent> events = new ArrayList<>();
        var offsets = segment.events().offsets().iterator();
        try {
            segment.events()
                    .forEachBody(body -> events.add(new ArchivedEvent(
                            offsets.next(), EventCodec.standard().decodeBody(body))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return events;
    }

    @Test
    void keepsSegmentsFullSizeWhenEventsAlternateBetweenTwoPayloadSchemaVersions() {
        // given a second version of the payload schema, with one more optional field; only the builder sees it,
        // since the worker archives only payloads whose schema this build knows
        Schema second = SchemaBuilder.record("ActivityRecorded")
                .namespace("io.polyglot.schemas.avro")
                .fields()
                .requiredString("activity")
                .optionalString("note")
                .endRecord();
        BinaryMessageEncoder<GenericRecord> encoder = new BinaryMessageEncoder<>(GenericData.get(), second);
        List<SealedSegment> sealed = new ArrayList<>();

        // when
        for (int n = 0; n < 1000; n++) {
            EventEnvelope event = TestEvents.event("Loan", "L1", n);
            if (n % 2 == 1) {
                GenericRecord payload = new GenericData.Record(second);
                payload.put("activity", "A_SUBMITTED");
                event.setPayload(encode(encoder, payload));
            }
            builder.append(0, n, event, T0).ifPresent(sealed::add);
        }

        // then
        assertThat(sealed).hasSize(10).allSatisfy(segment -> {
            assertThat(segment.events().count()).isEqualTo(100);
            assertThat(segment.events().payloadFingerprints()).hasSize(2);
        });
        assertThat(builder.openEvents()).isZero();
    }

    private static ByteBuffer encode(BinaryMessageEncoder<GenericRecord> encoder, GenericRecord payload) {
        try {
            return encoder.encode(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
