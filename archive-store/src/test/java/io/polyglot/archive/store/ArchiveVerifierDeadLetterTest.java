package io.polyglot.archive.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.schemas.KnownSchemas;
import io.polyglot.testservers.TestEvents;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The verifier's accounting of the archiver's dead letters, against a real S3Proxy. Partition 0 holds Loan events at
 * offsets 0 to 6; 0, 1, 2 and 6 are in a segment, 3, 4 and 5 are dead letters of the archiver's group: 3 pending, 4
 * skipped, 5 retried into a late segment.
 */
class ArchiveVerifierDeadLetterTest {

    private static final String GROUP = "polyglot-archiver";

    @RegisterExtension
    static final S3Fixture fixture = new S3Fixture();

    @TempDir
    Path work;

    @Test
    void countsPendingSkippedAndRetriedDeadLettersAsCoveredOnceEach() throws IOException {
        try (ArchiveStore store = fixture.freshStore(false)) {
            // given
            archive(store);

            // when
            VerificationReport report = new ArchiveVerifier(store).verify(committed(), deadLetters(3, 4, 5), GROUP);

            // then
            assertThat(report.problems()).isEmpty();
            assertThat(report.deadLetters()).isEqualTo(new VerificationReport.DeadLetterCounts(1, 1, 1));
            assertThat(report.lateSegments()).isEqualTo(1);
            assertThat(report.segments()).isEqualTo(1);
            assertThat(report.committedEventsChecked()).isEqualTo(7);
            assertThat(report.toJson())
                    .contains("\"lateSegments\" : 1")
                    .contains("\"pending\" : 1")
                    .contains("\"total\" : 3");
        }
    }

    @Test
    void reportsADeadLetteredOffsetThatAlsoSitsInARegularSegment() throws IOException {
        try (ArchiveStore store = fixture.freshStore(false)) {
            // given
            archive(store);

            // when
            VerificationReport report = new ArchiveVerifier(store).verify(committed(), deadLetters(2, 3, 4, 5), GROUP);

            // then
            assertThat(report.problems())
                    .singleElement()
                    .satisfies(problem -> assertThat(problem)
                            .contains("events/Loan/p000/00000000000000000000.avro holds offsets 2")
                            .contains("dead-lettered"));
        }
    }

    @Test
    void reportsALateSegmentWithoutADeadLetter() throws IOException {
        try (ArchiveStore store = fixture.freshStore(false)) {
            // given
            archive(store);
            lateSegment(6).putInto(store);

            // when
            VerificationReport report = new ArchiveVerifier(store).verify(committed(), deadLetters(3, 4, 5), GROUP);

            // then
            assertThat(report.problems())
                    .anySatisfy(problem -> assertThat(problem)
                            .isEqualTo("events/Loan/p000/late/00000000000000000006.avro is a late segment, but group "
                                    + GROUP + " has no dead letter of that offset."));
        }
    }

    @Test
    void reportsAPendingDeadLetterThatIsMissingAsAnEventInNoSegment() throws IOException {
        try (ArchiveStore store = fixture.freshStore(false)) {
            // given the dead letter of offset 3 not in events.dlq
            archive(store);

            // when
            VerificationReport report = new ArchiveVerifier(store).verify(committed(), deadLetters(4, 5), GROUP);

            // then
            assertThat(report.problems())
                    .singleElement()
                    .satisfies(problem -> assertThat(problem).contains("are in no segment, at offsets 3"));
        }
    }

    @Test
    void reHashesLateSegmentsAndReportsOneWhoseBytesWereReplaced() throws IOException {
        try (ArchiveStore store = fixture.freshStore(false);
                S3Client raw = fixture.rawClient()) {
            // given
            archive(store);
            LateSegment original = lateSegment(5);
            raw.putObject(
                    b -> b.bucket(store.bucket())
                            .key(original.key().value())
                            .metadata(original.meta().toUserMetadata()),
                    RequestBody.fromBytes("not the segment".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

            // when
            VerificationReport report = new ArchiveVerifier(store).verify(committed(), deadLetters(3, 4, 5), GROUP);

            // then
            assertThat(report.problems())
                    .anySatisfy(problem -> assertThat(problem)
                            .startsWith(original.key().value())
                            .contains("but its metadata records "
                                    + original.meta().sha256()));
        }
    }

    @Test
    void reportsASkippedDeadLetterThatHasALateSegmentToo() throws IOException {
        try (ArchiveStore store = fixture.freshStore(false)) {
            // given
            archive(store);
            lateSegment(4).putInto(store);

            // when
            VerificationReport report = new ArchiveVerifier(store).verify(committed(), deadLetters(3, 4, 5), GROUP);

            // then
            assertThat(report.problems())
                    .singleElement()
                    .satisfies(problem -> assertThat(problem)
                            .isEqualTo("The dead letter of offset 4 of partition 0 is skipped, yet it has a late"
                                    + " segment."));
        }
    }

    /** Stores the segment, its manifest, the late segment of offset 5 and the decisions about 4 and 5. */
    private void archive(ArchiveStore store) throws IOException {
        List<ArchivedEvent> events = new ArrayList<>();
        for (long offset : new long[] {0, 1, 2, 6}) {
            events.add(event(offset));
        }
        S3Fixture.Segment segment = S3Fixture.segment(work, SegmentKey.of("Loan", 0, 0), events);
        segment.putInto(store);
        store.putManifestIfAbsent(new ManifestPart(
                "Loan",
                0,
                0,
                List.of(new ManifestPart.Entry(
                        segment.key().value(),
                        0,
                        6,
                        4,
                        "2011-10-01T00:38:44.546Z",
                        "2011-10-01T00:38:50.546Z",
                        segment.meta().sha256())),
                List.of(new ManifestPart.OffsetRange(3, 5))));
        LateSegment late = lateSegment(5);
        late.putInto(store);
        DeadLetterResolutions resolutions = new DeadLetterResolutions(store);
        String now = Instant.parse("2026-12-04T15:00:00Z").toString();
        resolutions.record(new DeadLetterResolution(GROUP, 0, 4, DeadLetterResolution.Status.SKIPPED, now, null));
        resolutions.record(new DeadLetterResolution(
                GROUP,
                0,
                5,
                DeadLetterResolution.Status.RETRIED,
                now,
                late.key().value()));
    }

    private LateSegment lateSegment(long offset) throws IOException {
        LateSegmentKey key = LateSegmentKey.of("Loan", 0, offset);
        Path file = work.resolve(UUID.randomUUID() + ".avro");
        try (OutputStream out = Files.newOutputStream(file)) {
            SegmentFormat.writeLate(key, "events.all", event(offset), out, KnownSchemas::byFingerprint);
        }
        SegmentMetadata meta = new SegmentMetadata(
                SegmentChecksum.sha256Hex(file), offset, offset, 1, KnownSchemas.fingerprint(KnownSchemas.envelope()));
        return new LateSegment(key, file, meta);
    }

    private static ArchivedEvent event(long offset) {
        return new ArchivedEvent(offset, TestEvents.event("Loan", "L-1", (int) offset));
    }

    private static CommittedEvents committed() {
        CommittedEvents committed = new CommittedEvents();
        for (long offset = 0; offset <= 6; offset++) {
            committed.add(0, offset, "Loan");
        }
        return committed.readUpTo(0, 7);
    }

    private static DeadLetteredOffsets deadLetters(long... offsets) {
        DeadLetteredOffsets deadLetters = new DeadLetteredOffsets();
        for (long offset : offsets) {
            deadLetters.add(0, offset);
        }
        return deadLetters;
    }

    private record LateSegment(LateSegmentKey key, Path file, SegmentMetadata meta) {
        void putInto(ArchiveStore store) {
            store.putIfAbsent(key.value(), file, meta);
        }
    }
}
