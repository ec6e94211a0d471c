package io.polyglot.archive.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.testservers.TestEvents;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

class ArchiveVerifierTest {

    @RegisterExtension
    static final S3Fixture fixture = new S3Fixture();

    @TempDir
    Path work;

    @Test
    void findsNoProblemInAChainOfSoundSegmentsAndCountsTheirEvents() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            S3Fixture.segment(work, "Loan", 0, 0, 100).putInto(store);
            S3Fixture.segment(work, "Loan", 0, 100, 30).putInto(store);
            S3Fixture.segment(work, "Ticket", 2, 7, 12).putInto(store);

            // when
            VerificationReport report = new ArchiveVerifier(store).verify();

            // then
            assertThat(report.problems()).isEmpty();
            assertThat(report.sound()).isTrue();
            assertThat(report.segments()).isEqualTo(3);
            assertThat(report.eventsByAggregateType()).isEqualTo(Map.of("Loan", 130L, "Ticket", 12L));
            assertThat(report.events()).isEqualTo(142);
        }
    }

    @Test
    void findsASegmentWhoseBytesWereReplacedBehindTheStoresBack() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false);
                S3Client raw = fixture.rawClient()) {
            S3Fixture.Segment segment = S3Fixture.segment(work, "Loan", 1, 0, 10);
            segment.putInto(store);
            S3Fixture.Segment tampered = S3Fixture.segment(work, "Loan", 1, 0, 10 - 1);
            raw.putObject(
                    b -> b.bucket(store.bucket())
                            .key(segment.key().value())
                            .metadata(segment.meta().toUserMetadata()),
                    RequestBody.fromFile(tampered.file()));

            // when
            VerificationReport report = new ArchiveVerifier(store).verify();

            // then
            assertThat(report.sound()).isFalse();
            assertThat(report.problems())
                    .anySatisfy(problem -> assertThat(problem)
                            .contains(segment.key().value())
                            .contains("SHA-256 " + tampered.meta().sha256())
                            .contains("records " + segment.meta().sha256()))
                    .anySatisfy(problem -> assertThat(problem).contains("holds 9 events but its metadata records 10"));
        }
    }

    @Test
    void findsOffsetsThatAppearInTwoSegmentsOfAChain() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            S3Fixture.segment(work, "Loan", 0, 0, 10).putInto(store);
            S3Fixture.segment(work, "Loan", 0, 5, 10).putInto(store);
            S3Fixture.segment(work, "Loan", 1, 5, 10).putInto(store);

            // when
            VerificationReport report = new ArchiveVerifier(store).verify();

            // then
            assertThat(report.problems())
                    .singleElement()
                    .satisfies(problem -> assertThat(problem)
                            .startsWith("Offsets 5..9 appear in both")
                            .contains("events/Loan/p000/00000000000000000000.avro")
                            .contains("events/Loan/p000/00000000000000000005.avro"));
        }
    }

    @Test
    void findsASegmentWithMoreEventsThanTheLimit() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            S3Fixture.segment(work, "Loan", 0, 0, 6).putInto(store);

            // when
            VerificationReport report = new ArchiveVerifier(store, 5).verify();

            // then
            assertThat(report.problems())
                    .singleElement()
                    .satisfies(problem -> assertThat(problem).contains("holds 6 events, more than the limit of 5"));
        }
    }

    @Test
    void findsEventsOfAnotherAggregateTypeThanTheKeyNames() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            List<ArchivedEvent> events = new ArrayList<>();
            events.add(new ArchivedEvent(0, TestEvents.event("Loan", "L1", 0)));
            events.add(new ArchivedEvent(1, TestEvents.event("Ticket", "T1", 1)));
            S3Fixture.segment(work, SegmentKey.of("Loan", 0, 0), events).putInto(store);

            // when
            VerificationReport report = new ArchiveVerifier(store).verify();

            // then
            assertThat(report.problems())
                    .singleElement()
                    .satisfies(problem -> assertThat(problem).contains("of aggregate type Ticket"));
        }
    }

    @Test
    void leavesOutObjectsThatAreNotSegmentsSuchAsTheLeftoversOfACrashedUpload() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false);
                S3Client raw = fixture.rawClient()) {
            S3Fixture.Segment segment = S3Fixture.segment(work, "Loan", 0, 0, 3);
            segment.putInto(store);
            raw.putObject(
                    b -> b.bucket(store.bucket()).key(segment.key().value() + "-3f1c2a9e-6a51-4f7e-9d59-0c4b6d1a2e77"),
                    RequestBody.fromString("half an upload"));

            // when
            VerificationReport report = new ArchiveVerifier(store).verify();

            // then
            assertThat(report.problems()).isEmpty();
            assertThat(report.segments()).isEqualTo(1);
        }
    }

    @Test
    void findsNoProblemWhenASegmentAndItsManifestPartAreWrittenWhileItRuns() throws IOException {
        // given a chain of one listed segment, and an archiver that seals the next one and lists it in the chain's
        // next part while the verifier lists the archive (the hook places that between its two listings; a real
        // archiver cannot be made to write at that moment on demand)
        try (ArchiveStore store = fixture.freshStore(false)) {
            S3Fixture.Segment first = S3Fixture.segment(work, "Loan", 0, 0, 10);
            first.putInto(store);
            store.putManifestIfAbsent(new ManifestPart("Loan", 0, 0, List.of(entryOf(first)), List.of()));
            S3Fixture.Segment second = S3Fixture.segment(work, "Loan", 0, 10, 5);
            ArchiveVerifier verifier = new ArchiveVerifier(store).betweenListings(() -> {
                second.putInto(store);
                store.putManifestIfAbsent(new ManifestPart("Loan", 0, 1, List.of(entryOf(second)), List.of()));
            });

            // when
            VerificationReport report = verifier.verify();

            // then the new segment is found, and counted as not yet in the manifests the verifier read
            assertThat(report.problems()).isEmpty();
            assertThat(report.segments()).isEqualTo(2);
            assertThat(report.manifestParts()).isEqualTo(1);
            assertThat(report.segmentsNotInManifests()).isEqualTo(1);
        }
    }

    @Test
    void findsEveryCommittedOffsetOnceInASegmentOfItsTypeOrInAnotherChainsEmptyRanges() throws IOException {
        // given: offsets 0..6 of partition 0, 5 a transaction marker the consumer does not return
        try (ArchiveStore store = fixture.freshStore(false)) {
            MixedPartition archive = MixedPartition.archived(store, work);

            // when
            VerificationReport report = new ArchiveVerifier(store).verify(archive.committed());

            // then
            assertThat(report.problems()).isEmpty();
            assertThat(report.committedEventsChecked()).isEqualTo(6);
            assertThat(report.manifestParts()).isEqualTo(2);
            assertThat(report.segmentsNotInManifests()).isZero();
            assertThat(report.byAggregateType().get("Loan").events()).isEqualTo(4);
            assertThat(report.byAggregateType().get("Ticket").segments()).isEqualTo(1);
            assertThat(report.bytes())
                    .isEqualTo(java.nio.file.Files.size(archive.loan().file())
                            + java.nio.file.Files.size(archive.ticket().file()));
        }
    }

    @Test
    void findsACommittedOffsetThatIsInNoSegment() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            MixedPartition archive = MixedPartition.archived(store, work);
            CommittedEvents committed = archive.committed().add(0, 7, "Loan").add(0, 8, "Loan");

            // when
            VerificationReport report = new ArchiveVerifier(store).verify(committed);

            // then
            assertThat(report.problems())
                    .containsExactly("events.all partition 0: 2 events of Loan are in no segment, at offsets 7..8.");
        }
    }

    @Test
    void findsAnOffsetThatSegmentsOfTwoTypesBothHold() throws IOException {
        // given: a Ticket segment that also claims the Loan event at offset 6
        try (ArchiveStore store = fixture.freshStore(false)) {
            MixedPartition archive = MixedPartition.archived(store, work);
            S3Fixture.Segment doubled = S3Fixture.segment(
                    work,
                    SegmentKey.of("Ticket", 0, 6),
                    List.of(new ArchivedEvent(6, TestEvents.event("Ticket", "T9", 6))));
            doubled.putInto(store);

            // when
            VerificationReport report = new ArchiveVerifier(store).verify(archive.committed());

            // then
            assertThat(report.problems())
                    .anySatisfy(problem -> assertThat(problem)
                            .isEqualTo("Offsets 6 of partition 0 are in two segments: "
                                    + archive.loan().key() + " and " + doubled.key() + "."));
            assertThat(report.segmentsNotInManifests()).isEqualTo(1);
        }
    }

    @Test
    void findsAManifestWhosePartsAreNotNumberedWithoutGaps() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            MixedPartition archive = MixedPartition.archived(store, work);
            S3Fixture.Segment later = S3Fixture.segment(work, "Loan", 0, 9, 2);
            later.putInto(store);
            store.putManifestIfAbsent(new ManifestPart(
                    "Loan", 0, 2, List.of(entryOf(later)), List.of(new ManifestPart.OffsetRange(7, 8))));

            // when
            VerificationReport report = new ArchiveVerifier(store).verify(archive.committed());

            // then
            assertThat(report.problems())
                    .containsExactly("manifests/Loan/p000/0000000002.json follows manifests/Loan/p000/0000000000.json"
                            + " but manifests/Loan/p000/0000000001.json is missing: the parts of a chain are numbered"
                            + " from 0 without gaps.");
        }
    }

    @Test
    void findsAManifestThatRecordsAnotherChecksumThanTheStoredSegment() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            S3Fixture.Segment segment = S3Fixture.segment(work, "Loan", 1, 0, 3);
            segment.putInto(store);
            ManifestPart.Entry entry = entryOf(segment);
            String otherChecksum = "0".repeat(64);
            store.putManifestIfAbsent(new ManifestPart(
                    "Loan",
                    1,
                    0,
                    List.of(new ManifestPart.Entry(
                            entry.key(),
                            entry.firstOffset(),
                            entry.lastOffset(),
                            entry.eventCount(),
                            entry.firstEventTime(),
                            entry.lastEventTime(),
                            otherChecksum)),
                    List.of()));

            // when
            VerificationReport report = new ArchiveVerifier(store).verify();

            // then
            assertThat(report.problems())
                    .containsExactly("manifests/Loan/p001/0000000000.json records SHA-256 " + otherChecksum + " for "
                            + segment.key() + ", which is stored with "
                            + segment.meta().sha256() + ".");
        }
    }

    @Test
    void findsAnOffsetAManifestAccountsForTwiceAndOneItDoesNotAccountFor() throws IOException {
        // given: the Ticket manifest says offset 1, one of its own events, was empty, and forgets offset 2
        try (ArchiveStore store = fixture.freshStore(false)) {
            S3Fixture.Segment ticket = S3Fixture.segment(
                    work,
                    SegmentKey.of("Ticket", 3, 1),
                    List.of(
                            new ArchivedEvent(1, TestEvents.event("Ticket", "T1", 1)),
                            new ArchivedEvent(3, TestEvents.event("Ticket", "T1", 3))));
            ticket.putInto(store);
            store.putManifestIfAbsent(new ManifestPart(
                    "Ticket", 3, 0, List.of(entryOf(ticket)), List.of(new ManifestPart.OffsetRange(0, 1))));

            // when
            VerificationReport report = new ArchiveVerifier(store).verify();

            // then
            assertThat(report.problems())
                    .containsExactly(
                            "manifests/Ticket/p003/ accounts for offsets 2 neither as a segment's event nor as empty.",
                            "manifests/Ticket/p003/ accounts for offsets 1 twice.");
        }
    }

    @Test
    void storesEachResultCreateOnlyUnderVerificationsNamedByItsTime() throws IOException {
        // given
        Clock clock = Clock.fixed(Instant.parse("2026-12-04T12:40:00.123Z"), ZoneOffset.UTC);
        try (ArchiveStore store = fixture.freshStore(false)) {
            S3Fixture.segment(work, "Loan", 0, 0, 3).putInto(store);
            ArchiveVerifier verifier = new ArchiveVerifier(store, 100, clock);
            VerificationReport report = verifier.verify();

            // when
            String first = verifier.store(report);
            String second = verifier.store(report);

            // then
            assertThat(first).isEqualTo("verifications/20261204T124000.123Z.json");
            assertThat(second).isEqualTo("verifications/20261204T124000.123Z-1.json");
            try (InputStream in = store.get(first)) {
                JsonNode stored = new ObjectMapper().readTree(in);
                assertThat(stored.get("checkedAt").asText()).isEqualTo("2026-12-04T12:40:00.123Z");
                assertThat(stored.get("endedAt").asText()).isEqualTo("2026-12-04T12:40:00.123Z");
                assertThat(stored.get("sound").asBoolean()).isTrue();
                assertThat(stored.get("events").asLong()).isEqualTo(3);
                assertThat(stored.at("/byAggregateType/Loan/segments").asLong()).isEqualTo(1);
            }
        }
    }

    private static ManifestPart.Entry entryOf(S3Fixture.Segment segment) {
        return new ManifestPart.Entry(
                segment.key().value(),
                segment.meta().firstOffset(),
                segment.meta().lastOffset(),
                segment.meta().eventCount(),
                "2011-10-01T00:38:44.546Z",
                "2011-10-01T00:38:50.546Z",
                segment.meta().sha256());
    }

    /**
     * Partition 0 of a topic as a consumer and the archiver see it: Loan events at 0, 2, 4 and 6, Ticket events at 1
     * and 3, a transaction marker at 5; one segment and one manifest part per type.
     */
    private record MixedPartition(S3Fixture.Segment loan, S3Fixture.Segment ticket) {

        static MixedPartition archived(ArchiveStore store, Path work) throws IOException {
            S3Fixture.Segment loan = S3Fixture.segment(work, SegmentKey.of("Loan", 0, 0), events("Loan", 0, 2, 4, 6));
            S3Fixture.Segment ticket = S3Fixture.segment(work, SegmentKey.of("Ticket", 0, 1), events("Ticket", 1, 3));
            loan.putInto(store);
            ticket.putInto(store);
            store.putManifestIfAbsent(new ManifestPart("Loan", 0, 0, List.of(entryOf(loan)), ranges(1, 1, 3, 3, 5, 5)));
            store.putManifestIfAbsent(new ManifestPart("Ticket", 0, 0, List.of(entryOf(ticket)), ranges(0, 0, 2, 2)));
            return new MixedPartition(loan, ticket);
        }

        CommittedEvents committed() {
            CommittedEvents committed = new CommittedEvents();
            for (long offset : new long[] {0, 2, 4, 6}) {
                committed.add(0, offset, "Loan");
            }
            committed.add(0, 1, "Ticket").add(0, 3, "Ticket");
            return committed.readUpTo(0, 7);
        }

        private static List<ArchivedEvent> events(String type, long... offsets) {
            List<ArchivedEvent> events = new ArrayList<>();
            for (long offset : offsets) {
                events.add(new ArchivedEvent(offset, TestEvents.event(type, type + "-1", (int) offset)));
            }
            return events;
        }

        private static List<ManifestPart.OffsetRange> ranges(long... bounds) {
            List<ManifestPart.OffsetRange> ranges = new ArrayList<>();
            for (int i = 0; i < bounds.length; i += 2) {
                ranges.add(new ManifestPart.OffsetRange(bounds[i], bounds[i + 1]));
            }
            return ranges;
        }
    }
}
