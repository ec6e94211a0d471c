package io.polyglot.archive.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The archive bucket on S3-compatible storage, through the AWS SDK v2 (the only place its types appear).
 *
 * <p>Segments are written create-only: every single PUT and every multipart completion carries
 * {@code If-None-Match: *}, so a key once written never changes, and the SHA-256 the writer computed travels as
 * {@code x-amz-checksum-sha256} (of the whole file on a PUT, of each part in a multipart upload), so the store
 * refuses bytes that do not match it. Files from {@link ArchiveStoreConfig#multipartThresholdBytes()} on go up in
 * parts; an upload that is refused or fails is aborted, so no part is left behind. Bodies come from the file or from
 * a byte array, never from a one-shot stream, so the SDK can resend them on a retry. The SHA-256 of the whole file
 * travels in the object metadata: it is the segment's checksum, never the ETag or the composite checksum of parts.
 *
 * <p>The client uses path-style addressing against the configured endpoint, the configured region and static
 * credentials only. Checksums are computed by this class, not by the SDK's default CRC trailers, which not every
 * S3-compatible store accepts.
 */
public final class ArchiveStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ArchiveStore.class);

    private static final int PRECONDITION_FAILED = 412;
    private static final int NOT_FOUND = 404;
    private static final int UUID_LENGTH = 36;
    private static final Pattern UUID_TEXT =
            Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    private static final int CONFLICT = 409;

    /** When the requests this thread sends must be done by ({@link System#nanoTime()}), while one is set. */
    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

    private final ArchiveStoreConfig config;
    private final S3Client s3;

    /** A store for {@code config}; the client is created now, no request is sent until a method is called. */
    public ArchiveStore(ArchiveStoreConfig config) {
        this.config = config;
        this.s3 = S3Client.builder()
                .endpointOverride(config.endpoint())
                .region(Region.of(config.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey())))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(30)))
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofMinutes(2)))
                .build();
    }

    /**
     * Runs {@code work} with every request this thread sends to the store meanwhile bounded by {@code budget} in all:
     * each request may take only what is left of it (its API call timeout, retries included), and a request that
     * would start after it fails at once with a retriable {@link ArchiveStoreException}. For work that must end in
     * time whatever the store does, such as storing what is open before a rebalance goes on. A budget inside a
     * budget ends with the earlier of the two.
     */
    public static <T> T within(Duration budget, Supplier<T> work) {
        Long outer = DEADLINE.get();
        long deadline = System.nanoTime() + budget.toNanos();
        DEADLINE.set(outer == null || deadline - outer < 0 ? deadline : outer);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                DEADLINE.remove();
            } else {
                DEADLINE.set(outer);
            }
        }
    }

    /** Bounds a request by what is left of this thread's budget, when {@link #within} set one. */
    private static void bound(AwsRequestOverrideConfiguration.Builder request) {
        Long deadline = DEADLINE.get();
        if (deadline == null) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new ArchiveStoreException("the time given to the archive store's requests is over", true, null);
        }
        request.apiCallTimeout(Duration.ofNanos(left));
    }

    /** The bucket this store writes to. */
    public String bucket() {
        return config.bucket();
    }

    /** Creates the bucket unless it exists. */
    public void ensureBucket() {
        try {
            s3.headBucket(b -> b.overrideConfiguration(ArchiveStore::bound).bucket(config.bucket()));
            log.info("Archive bucket {} exists", config.bucket());
        } catch (NoSuchBucketException e) {
            createBucket();
        } catch (SdkException e) {
            throw failure("cannot reach bucket " + config.bucket(), e);
        }
    }

    /** Whether the bucket answers a HEAD request now. */
    public boolean reachable() {
        try {
            s3.headBucket(b -> b.overrideConfiguration(ArchiveStore::bound).bucket(config.bucket()));
            return true;
        } catch (SdkException e) {
            log.debug("Archive bucket {} is not reachable", config.bucket(), e);
            return false;
        }
    }

    /**
     * Uploads {@code file} under {@code key} unless the key is taken.
     *
     * <p>The store checks the bytes it receives against {@code meta.sha256()}, the checksum the writer computed, so
     * a file damaged on disk after it was written is refused rather than archived.
     *
     * @throws ArchiveStoreException when the store cannot be reached or refuses the upload for another reason
     */
    public PutResult putIfAbsent(String key, Path file, SegmentMetadata meta) {
        long size = sizeOf(file);
        PutResult result = size >= config.multipartThresholdBytes()
                ? putInParts(key, file, size, meta)
                : putWhole(key, file, meta);
        if (result instanceof PutResult.Created && config.readBackAfterPut()) {
            readBack(key, meta);
        }
        return result;
    }

    /**
     * Creates an empty object at {@code key} unless the key is taken, for markers such as the chain index.
     *
     * @return whether this call created it
     */
    public boolean putMarkerIfAbsent(String key) {
        return putBytesIfAbsent(key, "text/plain", new byte[0]);
    }

    /**
     * Creates {@code key} holding {@code json} unless the key is taken, for records such as stored verifications.
     *
     * @return whether this call created it
     */
    public boolean putJsonIfAbsent(String key, byte[] json) {
        return putBytesIfAbsent(key, "application/json", json);
    }

    /**
     * Deletes the temporary object {@code SEGMENTKEY-<uuid>} that an S3Proxy upload cut short by a crash leaves beside
     * a segment key. The archive deletes nothing else: any other key is refused.
     *
     * @throws IllegalArgumentException when {@code key} is not such a temporary object
     */
    public void deleteUploadLeftover(String key) {
        if (!isUploadLeftover(key)) {
            throw new IllegalArgumentException(key + " is not a temporary object left by an upload");
        }
        request(
                "cannot delete " + key,
                () -> s3.deleteObject(b -> b.overrideConfiguration(ArchiveStore::bound)
                        .bucket(config.bucket())
                        .key(key)));
        log.info("Deleted {}, left by an upload that did not finish", key);
    }

    /** Whether {@code key} names a temporary object an unfinished S3Proxy upload left beside a segment key. */
    public static boolean isUploadLeftover(String key) {
        int dash = key.length() - UUID_LENGTH - 1;
        return dash > 0
                && key.charAt(dash) == '-'
                && SegmentKey.parse(key.substring(0, dash)).isPresent()
                && UUID_TEXT.matcher(key.substring(dash + 1)).matches();
    }

    /**
     * Writes {@code part} unless its key is taken.
     *
     * @return whether this call created it; when not, another writer wrote that part first
     */
    public boolean putManifestIfAbsent(ManifestPart part) {
        return putBytesIfAbsent(part.key(), "application/json", part.toJson());
    }

    /** The last part of the manifest of a chain, empty when the chain has none yet. */
    public Optional<ManifestPart> lastManifestPart(String typeSegment, int partition) {
        List<String> parts = list(ManifestPart.prefix(typeSegment, partition)).stream()
                .filter(ManifestPart::isPartKey)
                .toList();
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = get(parts.get(parts.size() - 1))) {
            return Optional.of(ManifestPart.fromJson(in.readAllBytes()));
        } catch (IOException e) {
            throw new ArchiveStoreException("cannot read " + parts.get(parts.size() - 1), true, e);
        }
    }

    /** The keys under {@code chainPrefix} that {@code manifest}, the chain's last part if any, does not list. */
    public List<String> listAfter(String chainPrefix, Optional<ManifestPart> manifest) {
        return manifest.isEmpty()
                ? list(chainPrefix)
                : listAfter(chainPrefix, manifest.get().lastSegmentKey());
    }

    /** The keys under {@code prefix} that sort after {@code startAfter}, in key order. */
    public List<String> listAfter(String prefix, String startAfter) {
        return keys(
                "cannot list " + prefix + " after " + startAfter,
                b -> b.prefix(prefix).startAfter(startAfter));
    }

    /** The keys under {@code prefix} that have a multipart upload in progress, one entry per upload. */
    public List<String> openUploads(String prefix) {
        return uploads(prefix).stream().map(MultipartUpload::key).toList();
    }

    private List<MultipartUpload> uploads(String prefix) {
        return request(
                "cannot list the multipart uploads under " + prefix,
                () -> s3
                        .listMultipartUploadsPaginator(b -> b.overrideConfiguration(ArchiveStore::bound)
                                .bucket(config.bucket())
                                .prefix(prefix))
                        .uploads()
                        .stream()
                        .toList());
    }

    /**
     * Aborts the multipart uploads under {@code prefix} started before {@code cutoff}: an archiver that crashed in
     * the middle of one left it open, and its parts would take space until the bucket's own cleanup. Younger uploads
     * may belong to an instance uploading right now and are left alone, as is one whose start the store does not
     * tell.
     *
     * @return the keys whose upload was aborted, one entry per upload
     */
    public List<String> abortUploadsStartedBefore(String prefix, Instant cutoff) {
        List<MultipartUpload> stale = uploads(prefix).stream()
                .filter(upload ->
                        upload.initiated() != null && upload.initiated().isBefore(cutoff))
                .toList();
        for (MultipartUpload upload : stale) {
            log.info(
                    "Aborting the multipart upload {} of {} left since {}",
                    upload.uploadId(),
                    upload.key(),
                    upload.initiated());
            abort(upload.key(), upload.uploadId());
        }
        return stale.stream().map(MultipartUpload::key).toList();
    }

    private boolean putBytesIfAbsent(String key, String contentType, byte[] bytes) {
        try {
            s3.putObject(
                    b -> b.overrideConfiguration(ArchiveStore::bound)
                            .bucket(config.bucket())
                            .key(key)
                            .ifNoneMatch("*")
                            .contentType(contentType),
                    RequestBody.fromBytes(bytes));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == PRECONDITION_FAILED) {
                return false;
            }
            throw failure("cannot create " + key, e);
        } catch (SdkException e) {
            throw failure("cannot create " + key, e);
        }
    }

    private PutResult putWhole(String key, Path file, SegmentMetadata meta) {
        try {
            s3.putObject(
                    b -> b.overrideConfiguration(ArchiveStore::bound)
                            .bucket(config.bucket())
                            .key(key)
                            .ifNoneMatch("*")
                            .checksumSHA256(SegmentChecksum.base64OfHex(meta.sha256()))
                            .contentType("application/avro")
                            .metadata(meta.toUserMetadata()),
                    RequestBody.fromFile(file));
        } catch (S3Exception e) {
            if (e.statusCode() == PRECONDITION_FAILED) {
                return alreadyExists(key);
            }
            throw failure("cannot upload " + key, e);
        } catch (SdkException e) {
            throw failure("cannot upload " + key, e);
        }
        return new PutResult.Created();
    }

    private PutResult putInParts(String key, Path file, long size, SegmentMetadata meta) {
        String uploadId = startUpload(key, meta);
        boolean completed = false;
        try {
            List<CompletedPart> parts = uploadParts(key, uploadId, file, size);
            s3.completeMultipartUpload(b -> b.overrideConfiguration(ArchiveStore::bound)
                    .bucket(config.bucket())
                    .key(key)
                    .uploadId(uploadId)
                    .ifNoneMatch("*")
                    .multipartUpload(m -> m.parts(parts)));
            completed = true;
            return new PutResult.Created();
        } catch (S3Exception e) {
            if (e.statusCode() == PRECONDITION_FAILED) {
                abort(key, uploadId);
                completed = true;
                return alreadyExists(key);
            }
            if (e.statusCode() == NOT_FOUND) {
                // A completion whose answer was lost and then retried finds its upload gone and the object there;
                // without the object the upload was aborted meanwhile, and a new one may succeed.
                completed = true;
                if (headObject(key).isPresent()) {
                    return alreadyExists(key);
                }
                throw new ArchiveStoreException("the multipart upload of " + key + " is gone", true, e);
            }
            throw failure("cannot upload " + key + " in parts", e);
        } catch (SdkException e) {
            throw failure("cannot upload " + key + " in parts", e);
        } finally {
            if (!completed) {
                abort(key, uploadId);
            }
        }
    }

    private String startUpload(String key, SegmentMetadata meta) {
        try {
            return s3.createMultipartUpload(b -> b.overrideConfiguration(ArchiveStore::bound)
                            .bucket(config.bucket())
                            .key(key)
                            .contentType("application/avro")
                            .checksumAlgorithm(ChecksumAlgorithm.SHA256)
                            .metadata(meta.toUserMetadata()))
                    .uploadId();
        } catch (SdkException e) {
            throw failure("cannot start the multipart upload of " + key, e);
        }
    }

    private List<CompletedPart> uploadParts(String key, String uploadId, Path file, long size) {
        List<CompletedPart> parts = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            int number = 1;
            for (long position = 0; position < size; position += config.multipartPartBytes(), number++) {
                byte[] bytes =
                        readPart(channel, position, (int) Math.min(config.multipartPartBytes(), size - position));
                String checksum = SegmentChecksum.base64OfHex(SegmentChecksum.sha256Hex(bytes));
                int partNumber = number;
                String eTag = s3.uploadPart(
                                b -> b.overrideConfiguration(ArchiveStore::bound)
                                        .bucket(config.bucket())
                                        .key(key)
                                        .uploadId(uploadId)
                                        .partNumber(partNumber)
                                        .checksumSHA256(checksum),
                                RequestBody.fromBytes(bytes))
                        .eTag();
                parts.add(CompletedPart.builder()
                        .partNumber(partNumber)
                        .eTag(eTag)
                        .checksumSHA256(checksum)
                        .build());
            }
        } catch (IOException e) {
            throw new ArchiveStoreException("cannot read " + file + " to upload it in parts", true, e);
        }
        return parts;
    }

    private static byte[] readPart(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("the file ended before byte " + (position + length));
            }
        }
        return buffer.array();
    }

    private void abort(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.overrideConfiguration(ArchiveStore::bound)
                    .bucket(config.bucket())
                    .key(key)
                    .uploadId(uploadId));
        } catch (SdkException | ArchiveStoreException e) {
            // The parts stay until the next resume aborts them or the bucket's cleanup of incomplete uploads does;
            // they never become an object.
            log.warn("Cannot abort the multipart upload {} of {}: {}", uploadId, key, e.toString());
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new ArchiveStoreException("cannot read the size of " + file, true, e);
        }
    }

    /** The segment metadata of the object at {@code key}; empty when there is none or it carries no such metadata. */
    public Optional<SegmentMetadata> head(String key) {
        return headObject(KeyPaths.requireSafe(key))
                .flatMap(response -> SegmentMetadata.fromUserMetadata(response.metadata()));
    }

    /** Every key under {@code prefix}, in key order, across as many list pages as it takes. */
    public List<String> list(String prefix) {
        return list(prefix, 1000);
    }

    /** Every key under {@code prefix}, in key order, asking for {@code pageSize} keys per request. */
    public List<String> list(String prefix, int pageSize) {
        return keys("cannot list " + prefix, b -> b.prefix(prefix).maxKeys(pageSize));
    }

    /**
     * The "folders" directly under {@code prefix} (which ends in {@code /}): each common prefix up to the next
     * {@code /}, e.g. {@code events/Loan/} under {@code events/}.
     */
    public List<String> listFolders(String prefix) {
        return request(
                "cannot list the folders under " + prefix,
                () -> s3
                        .listObjectsV2Paginator(b -> b.overrideConfiguration(ArchiveStore::bound)
                                .bucket(config.bucket())
                                .prefix(prefix)
                                .delimiter("/"))
                        .commonPrefixes()
                        .stream()
                        .map(CommonPrefix::prefix)
                        .toList());
    }

    /**
     * The bytes of the object at {@code key}; the caller closes the stream.
     *
     * @throws UnsafeKeyException before any request when the key could leave its folder (see {@link KeyPaths})
     */
    public InputStream get(String key) {
        KeyPaths.requireSafe(key);
        try {
            return s3.getObject(b -> b.overrideConfiguration(ArchiveStore::bound)
                    .bucket(config.bucket())
                    .key(key));
        } catch (SdkException e) {
            throw failure("cannot read " + key, e);
        }
    }

    /** Downloads the object at {@code key} to {@code target}, replacing it; returns {@code target}. */
    public Path get(String key, Path target) {
        try (InputStream in = get(key)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new ArchiveStoreException("cannot download " + key + " to " + target, true, e);
        }
    }

    /**
     * Restores the object at {@code key} to the file the key names under {@code folder}, creating its folders;
     * returns that file.
     *
     * @throws UnsafeKeyException before any request or file when the key would leave {@code folder}
     */
    public Path restore(String key, Path folder) {
        Path target = KeyPaths.resolveInside(folder, key);
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new ArchiveStoreException("cannot create the folder of " + target, true, e);
        }
        return get(key, target);
    }

    @Override
    public void close() {
        s3.close();
    }

    private void createBucket() {
        try {
            s3.createBucket(b -> b.overrideConfiguration(ArchiveStore::bound).bucket(config.bucket()));
            log.info("Archive bucket {} created", config.bucket());
        } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException e) {
            log.info("Archive bucket {} was created by someone else meanwhile", config.bucket());
        } catch (SdkException e) {
            throw failure("cannot create bucket " + config.bucket(), e);
        }
    }

    private PutResult alreadyExists(String key) {
        Optional<HeadObjectResponse> existing = headObject(key);
        if (existing.isEmpty()) {
            // The key was taken a moment ago and is gone now: only a deletion does that, so the caller should retry.
            throw new ArchiveStoreException(key + " was refused as taken but no longer exists", true, null);
        }
        return new PutResult.AlreadyExists(
                SegmentMetadata.fromUserMetadata(existing.get().metadata()));
    }

    private Optional<HeadObjectResponse> headObject(String key) {
        try {
            return Optional.of(s3.headObject(b -> b.overrideConfiguration(ArchiveStore::bound)
                    .bucket(config.bucket())
                    .key(key)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == NOT_FOUND) {
                return Optional.empty();
            }
            throw failure("cannot read the metadata of " + key, e);
        } catch (SdkException e) {
            throw failure("cannot read the metadata of " + key, e);
        }
    }

    private void readBack(String key, SegmentMetadata meta) {
        String stored;
        try (InputStream in = get(key)) {
            stored = SegmentChecksum.sha256Hex(in);
        } catch (IOException e) {
            throw new ArchiveStoreException("cannot read back " + key, true, e);
        } catch (UncheckedIOException e) {
            throw new ArchiveStoreException("cannot read back " + key, true, e.getCause());
        }
        if (!stored.equals(meta.sha256())) {
            throw new ArchiveStoreException(
                    key + " was stored with SHA-256 " + stored + " instead of " + meta.sha256(), false, null);
        }
    }

    private List<String> keys(String what, Consumer<ListObjectsV2Request.Builder> listing) {
        return request(
                what,
                () -> s3
                        .listObjectsV2Paginator(b -> listing.accept(
                                b.overrideConfiguration(ArchiveStore::bound).bucket(config.bucket())))
                        .contents()
                        .stream()
                        .map(S3Object::key)
                        .toList());
    }

    /** Runs one request, turning an SDK failure into an {@link ArchiveStoreException} that says {@code what}. */
    private static <T> T request(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw failure(what, e);
        }
    }

    private static ArchiveStoreException failure(String what, SdkException e) {
        return new ArchiveStoreException(what + ": " + e.getMessage(), isRetriable(e), e);
    }

    private static boolean isRetriable(SdkException e) {
        if (e instanceof S3Exception s3Exception) {
            int status = s3Exception.statusCode();
            return status >= 500 || status == CONFLICT || status == 429;
        }
        return e instanceof SdkClientException;
    }
}
