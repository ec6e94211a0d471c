package io.polyglot.archive.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.testservers.TestEvents;
import java.io.IOException;
import java.nio.file.Path;
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
}
