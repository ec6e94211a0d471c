package io.polyglot.archive.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.schemas.KnownSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The create-only fence of single and multipart uploads, against a real S3Proxy on loopback; the cut connection comes
 * from a {@link CuttingProxy} in front of it.
 */
class CreateOnlyUploadTest {

    private static final int PART_BYTES = 5 * 1024 * 1024;
    private static final int LARGE_BYTES = PART_BYTES + 1024 * 1024;
    private static final String KEY = SegmentKey.of("Loan", 2, 0).value();

    @RegisterExtension
    static final S3Fixture fixture = new S3Fixture();

    @TempDir
    Path work;

    @Test
    void uploadsALargeSegmentInPartsUnderTheSha256OfTheWholeFile() throws IOException {
        // given
        String bucket = createdBucket();
        Path file = randomFile("large.avro", LARGE_BYTES, 1);
        SegmentMetadata meta = metadataOf(file);

        try (ArchiveStore inParts = store(bucket, 1)) {
            // when
            PutResult result = inParts.putIfAbsent(KEY, file, meta);

            // then
            assertThat(result).isInstanceOf(PutResult.Created.class);
            assertThat(inParts.head(KEY)).contains(meta);
            assertThat(storedBytes(inParts)).isEqualTo(Files.readAllBytes(file));
            assertThat(inParts.openUploads("")).isEmpty();
        }
    }

    @Test
    void refusesAnExistingSegmentWrittenAgainByASinglePutAndByAMultipartUpload() throws IOException {
        // given
        String bucket = createdBucket();
        Path original = randomFile("original.avro", LARGE_BYTES, 2);
        Path other = randomFile("other.avro", LARGE_BYTES, 3);
        SegmentMetadata originalMeta = metadataOf(original);
        SegmentMetadata otherMeta = metadataOf(other);

        try (ArchiveStore whole = store(bucket, Long.MAX_VALUE);
                ArchiveStore inParts = store(bucket, 1)) {
            assertThat(inParts.putIfAbsent(KEY, original, originalMeta)).isInstanceOf(PutResult.Created.class);

            // when
            PutResult byPut = whole.putIfAbsent(KEY, other, otherMeta);
            PutResult byParts = inParts.putIfAbsent(KEY, other, otherMeta);

            // then
            assertThat(byPut).isEqualTo(new PutResult.AlreadyExists(Optional.of(originalMeta)));
            assertThat(byParts).isEqualTo(new PutResult.AlreadyExists(Optional.of(originalMeta)));
            assertThat(storedBytes(whole)).isEqualTo(Files.readAllBytes(original));
            assertThat(whole.head(KEY)).contains(originalMeta);
            assertThat(whole.openUploads("")).isEmpty();
        }
    }

    @Test
    void listsAMultipartUploadThatIsStillOpen() {
        // given: the listing the fence tests rely on to see that nothing is left open
        String bucket = createdBucket();
        try (S3Client raw = fixture.rawClient();
                ArchiveStore store = store(bucket, 1)) {
            String uploadId =
                    raw.createMultipartUpload(b -> b.bucket(bucket).key(KEY)).uploadId();

            // when
            var open = store.openUploads("events/");

            // then
            assertThat(open).containsExactly(KEY);
            raw.abortMultipartUpload(b -> b.bucket(bucket).key(KEY).uploadId(uploadId));
            assertThat(store.openUploads("events/")).isEmpty();
        }
    }

    @Test
    void storesTheWholeSegmentWhenASinglePutIsRetriedAfterItsConnectionWasCutMidBody() throws IOException {
        // given
        String bucket = createdBucket();
        Path file = randomFile("cut.avro", 1024 * 1024, 4);
        SegmentMetadata meta = metadataOf(file);

        try (CuttingProxy proxy = CuttingProxy.start(
                        URI.create(fixture.server().endpoint()).getPort(), 256 * 1024);
                ArchiveStore throughProxy = store(bucket, Long.MAX_VALUE, proxy.endpoint())) {
            // when
            PutResult result = throughProxy.putIfAbsent(KEY, file, meta);

            // then
            assertThat(proxy.cut()).isTrue();
            assertThat(proxy.connections()).isGreaterThan(1);
            assertThat(result).isInstanceOf(PutResult.Created.class);
        }
        assertStoredCopyOf(bucket, file);
    }

    @Test
    void storesTheWholeSegmentWhenAPartIsRetriedAfterItsConnectionWasCutMidBody() throws IOException {
        // given
        String bucket = createdBucket();
        Path file = randomFile("cut-parts.avro", LARGE_BYTES, 5);
        SegmentMetadata meta = metadataOf(file);

        try (CuttingProxy proxy = CuttingProxy.start(
                        URI.create(fixture.server().endpoint()).getPort(), PART_BYTES + 512 * 1024);
                ArchiveStore throughProxy = store(bucket, 1, proxy.endpoint())) {
            // when
            PutResult result = throughProxy.putIfAbsent(KEY, file, meta);

            // then
            assertThat(proxy.cut()).isTrue();
            assertThat(result).isInstanceOf(PutResult.Created.class);
            assertThat(throughProxy.openUploads("")).isEmpty();
        }
        assertStoredCopyOf(bucket, file);
    }

    private void assertStoredCopyOf(String bucket, Path file) throws IOException {
        try (ArchiveStore direct = store(bucket, Long.MAX_VALUE)) {
            byte[] stored = storedBytes(direct);
            assertThat(stored).hasSize((int) Files.size(file));
            assertThat(SegmentChecksum.sha256Hex(stored)).isEqualTo(SegmentChecksum.sha256Hex(file));
            assertThat(direct.head(KEY).map(SegmentMetadata::sha256)).contains(SegmentChecksum.sha256Hex(file));
        }
    }

    private static String createdBucket() {
        String bucket = S3Fixture.uniqueBucket();
        try (ArchiveStore store = store(bucket, Long.MAX_VALUE)) {
            store.ensureBucket();
        }
        return bucket;
    }

    private static ArchiveStore store(String bucket, long multipartThreshold) {
        return store(bucket, multipartThreshold, fixture.server().endpoint());
    }

    private static ArchiveStore store(String bucket, long multipartThreshold, String endpoint) {
        ArchiveStoreConfig base = fixture.config(bucket, false);
        return new ArchiveStore(new ArchiveStoreConfig(
                URI.create(endpoint),
                base.bucket(),
                base.region(),
                base.accessKeyId(),
                base.secretAccessKey(),
                false,
                multipartThreshold,
                PART_BYTES));
    }

    private static byte[] storedBytes(ArchiveStore store) throws IOException {
        try (InputStream in = store.get(KEY)) {
            return in.readAllBytes();
        }
    }

    /** Bytes the store treats like any segment file: it never looks inside what it uploads. */
    private Path randomFile(String name, int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return Files.write(work.resolve(name), bytes);
    }

    private static SegmentMetadata metadataOf(Path file) {
        return new SegmentMetadata(
                SegmentChecksum.sha256Hex(file), 0, 99, 100, KnownSchemas.fingerprint(KnownSchemas.envelope()));
    }
}
