package io.polyglot.archive.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.stack.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

class ArchiveStoreTest {

    @RegisterExtension
    static final S3Fixture fixture = new S3Fixture();

    @TempDir
    Path work;

    @Test
    void createsASegmentAndReadsItsMetadataAndBytesBack() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            S3Fixture.Segment segment = S3Fixture.segment(work, "Loan", 3, 120, 4);

            // when
            PutResult result = segment.putInto(store);

            // then
            assertThat(result).isInstanceOf(PutResult.Created.class);
            assertThat(store.head(segment.key().value())).contains(segment.meta());
            try (InputStream in = store.get(segment.key().value())) {
                assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(segment.file()));
            }
        }
    }

    @Test
    void restoresSegmentsOfHostileTypeNamesInsideTheFolderAndRefusesKeysThatWouldLeaveIt() throws IOException {
        // given segments of hostile type names, stored, and a folder to restore into
        Path folder = work.resolve("restore/inside");
        try (ArchiveStore store = fixture.freshStore(false)) {
            List<S3Fixture.Segment> segments = new ArrayList<>();
            for (String name : List.of("../../x", "a/../b", "a\\b", "nul\u0000", "ＬＯＡＮ", "CON", "x".repeat(300))) {
                S3Fixture.Segment segment = S3Fixture.segment(work, name, 1, 0, 2);
                assertThat(segment.putInto(store)).isInstanceOf(PutResult.Created.class);
                segments.add(segment);
            }

            // when
            List<Path> restored = store.list(SegmentKey.EVENTS_PREFIX).stream()
                    .map(key -> store.restore(key, folder))
                    .toList();

            // then every file lands inside the folder, under events/, with the stored bytes
            assertThat(restored)
                    .hasSize(segments.size())
                    .allSatisfy(file -> assertThat(file).startsWith(folder.resolve("events")));
            for (S3Fixture.Segment segment : segments) {
                assertThat(folder.resolve(segment.key().value())).hasSameBinaryContentAs(segment.file());
            }
            for (String key : List.of("events/../../escaped", "../escaped", "/escaped", "events\\..\\escaped")) {
                assertThatThrownBy(() -> store.restore(key, folder)).isInstanceOf(UnsafeKeyException.class);
                assertThatThrownBy(() -> store.get(key)).isInstanceOf(UnsafeKeyException.class);
                assertThatThrownBy(() -> store.head(key)).isInstanceOf(UnsafeKeyException.class);
            }
            assertThat(work.resolve("restore/escaped")).doesNotExist();
            assertThat(work.resolve("escaped")).doesNotExist();
        }
    }

    @Test
    void abortsTheMultipartUploadsOfAChainStartedBeforeTheCutoffOnly() {
        // given an upload a crashed archiver left open in one chain, and one in another chain
        try (ArchiveStore store = fixture.freshStore(false);
                S3Client raw = fixture.rawClient()) {
            store.ensureBucket();
            String left = SegmentKey.of("Loan", 2, 100).value();
            String elsewhere = SegmentKey.of("Ticket", 2, 0).value();
            for (String key : List.of(left, elsewhere)) {
                String uploadId = raw.createMultipartUpload(
                                b -> b.bucket(store.bucket()).key(key))
                        .uploadId();
                raw.uploadPart(
                        b -> b.bucket(store.bucket())
                                .key(key)
                                .uploadId(uploadId)
                                .partNumber(1),
                        RequestBody.fromBytes(new byte[] {1, 2, 3}));
            }
            String chain = SegmentKey.chainPrefix("Loan", 2);

            // when the cutoff lies before the uploads started, then well after
            List<String> tooYoung =
                    store.abortUploadsStartedBefore(chain, Instant.now().minus(Duration.ofHours(1)));
            List<String> aborted =
                    store.abortUploadsStartedBefore(chain, Instant.now().plus(Duration.ofHours(1)));

            // then
            assertThat(tooYoung).isEmpty();
            assertThat(aborted).containsExactly(left);
            assertThat(store.openUploads(SegmentKey.EVENTS_PREFIX)).containsExactly(elsewhere);
        }
    }

    @Test
    void refusesASecondUploadOfTheSameKeyAndLeavesTheFirstUnchanged() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            S3Fixture.Segment first = S3Fixture.segment(work, "Loan", 0, 0, 5);
            S3Fixture.Segment other = S3Fixture.segment(work, "Loan", 0, 0, 7);
            first.putInto(store);

            // when
            PutResult second = other.putInto(store);

            // then
            assertThat(second).isEqualTo(new PutResult.AlreadyExists(java.util.Optional.of(first.meta())));
            Path stored = store.get(first.key().value(), work.resolve("stored.avro"));
            assertThat(Files.readAllBytes(stored)).isEqualTo(Files.readAllBytes(first.file()));
        }
    }

    @Test
    void sendsTheChecksumSoTheStoreRefusesBytesThatDoNotMatchIt() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            S3Fixture.Segment segment = S3Fixture.segment(work, "Loan", 0, 0, 3);
            SegmentMetadata wrongChecksum = new SegmentMetadata(
                    SegmentChecksum.sha256Hex(new byte[] {1, 2, 3}),
                    segment.meta().firstOffset(),
                    segment.meta().lastOffset(),
                    segment.meta().eventCount(),
                    segment.meta().schemaFingerprint());

            // when / then
            assertThatThrownBy(() -> store.putIfAbsent(segment.key().value(), segment.file(), wrongChecksum))
                    .isInstanceOfSatisfying(
                            ArchiveStoreException.class,
                            e -> assertThat(e.retriable()).isFalse());
            assertThat(store.list(SegmentKey.EVENTS_PREFIX)).isEmpty();
        }
    }

    @Test
    void readsBackAnUploadWhenAskedToAndAcceptsItWhenItsChecksumMatches() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(true)) {
            S3Fixture.Segment segment = S3Fixture.segment(work, "Ticket", 1, 9, 2);

            // when
            PutResult result = segment.putInto(store);

            // then
            assertThat(result).isInstanceOf(PutResult.Created.class);
            assertThat(store.head(segment.key().value())).contains(segment.meta());
        }
    }

    @Test
    void listsEveryKeyUnderAPrefixAcrossPages() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                S3Fixture.Segment segment = S3Fixture.segment(work, "Loan", 0, i * 10L, 1);
                segment.putInto(store);
                keys.add(segment.key().value());
            }
            S3Fixture.segment(work, "Ticket", 0, 0, 1).putInto(store);

            // when
            List<String> listed = store.list(SegmentKey.chainPrefix("Loan", 0), 2);

            // then
            assertThat(listed).containsExactlyElementsOf(keys);
        }
    }

    @Test
    void deletesATemporaryObjectLeftByAnUploadButRefusesToDeleteASegment() throws IOException {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            S3Fixture.Segment segment = S3Fixture.segment(work, "Loan", 0, 0, 2);
            segment.putInto(store);
            String leftover = segment.key().value() + "-" + java.util.UUID.randomUUID();
            store.putMarkerIfAbsent(leftover);

            // when
            store.deleteUploadLeftover(leftover);

            // then
            assertThatThrownBy(() -> store.deleteUploadLeftover(segment.key().value()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(store.list(SegmentKey.EVENTS_PREFIX))
                    .containsExactly(segment.key().value());
        }
    }

    @Test
    void writesManifestPartsCreateOnlyAndReadsTheLastOneBack() {
        // given
        try (ArchiveStore store = fixture.freshStore(false)) {
            List<ManifestPart> parts = new ArrayList<>();
            for (int n = 0; n < 3; n++) {
                parts.add(new ManifestPart(
                        "Loan",
                        4,
                        n,
                        List.of(new ManifestPart.Entry(
                                SegmentKey.of("Loan", 4, n * 10L).value(),
                                n * 10L,
                                n * 10L + 5,
                                6,
                                "2011-10-01T00:38:44.546Z",
                                "2011-10-01T00:38:49.546Z",
                                SegmentChecksum.sha256Hex(new byte[] {(byte) n}))),
                        List.of(new ManifestPart.OffsetRange(n * 10L + 6, n * 10L + 9))));
            }
            parts.forEach(part -> assertThat(store.putManifestIfAbsent(part)).isTrue());
            ManifestPart rival = new ManifestPart("Loan", 4, 2, List.of(), List.of());

            // when
            boolean rivalWritten = store.putManifestIfAbsent(rival);

            // then
            assertThat(rivalWritten).isFalse();
            assertThat(store.lastManifestPart("Loan", 4)).contains(parts.get(2));
            assertThat(store.lastManifestPart("Loan", 5)).isEmpty();
            assertThat(parts.get(2).key()).isEqualTo("manifests/Loan/p004/0000000002.json");
        }
    }

    @Test
    void createsTheBucketOnceAndAcceptsBeingAskedAgain() {
        // given
        try (ArchiveStore store = new ArchiveStore(fixture.config(S3Fixture.uniqueBucket(), false))) {
            assertThat(store.reachable()).isFalse();

            // when
            store.ensureBucket();
            store.ensureBucket();

            // then
            assertThat(store.reachable()).isTrue();
        }
    }

    @Test
    void reportsAStoreThatCannotBeReachedAsRetriable() {
        // given
        ArchiveStoreConfig nowhere = new ArchiveStoreConfig(
                URI.create("http://127.0.0.1:" + FreePorts.pick()), "polyglot-archive", "us-east-1", "k", "s", false);
        try (ArchiveStore store = new ArchiveStore(nowhere)) {

            // when / then
            assertThat(store.reachable()).isFalse();
            assertThatThrownBy(store::ensureBucket)
                    .isInstanceOfSatisfying(
                            ArchiveStoreException.class,
                            e -> assertThat(e.retriable()).isTrue());
        }
    }
}
