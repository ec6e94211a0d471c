package io.polyglot.archiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.archive.store.ArchivedEvent;
import io.polyglot.archive.store.SegmentChecksum;
import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentKey;
import io.polyglot.archiver.SealedSegment.SealReason;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.testservers.TestEvents;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmTierTest {

    @TempDir
    Path warmDir;

    @Test
    void writesTheSegmentAtItsKeyUnderTheWarmDirectoryWithTheChecksumOfItsBytes() throws IOException {
        // given
        SealedSegment segment = segment("Loan", 2, 40, 3);

        // when
        WarmSegment written = new WarmTier(warmDir, "events.all").write(segment);

        // then
        assertThat(written.file()).isEqualTo(warmDir.resolve("events/Loan/p002/00000000000000000040.avro"));
        assertThat(written.metadata().sha256())
                .isEqualTo(SegmentChecksum.sha256Hex(Files.readAllBytes(written.file())));
        assertThat(written.metadata().firstOffset()).isEqualTo(40);
        assertThat(written.metadata().lastOffset()).isEqualTo(42);
        assertThat(written.metadata().eventCount()).isEqualTo(3);
        assertThat(written.metadata().schemaFingerprint()).isEqualTo(KnownSchemas.fingerprint(KnownSchemas.envelope()));
        assertThat(Files.list(written.file().getParent())).containsExactly(written.file());
    }

    @Test
    void givesTheSameBytesForTheSameEvents() throws IOException {
        // given
        WarmTier first = new WarmTier(warmDir.resolve("first"), "events.all");
        WarmTier second = new WarmTier(warmDir.resolve("second"), "events.all");

        // when
        WarmSegment a = first.write(segment("Loan", 0, 0, 10));
        WarmSegment b = second.write(segment("Loan", 0, 0, 10));

        // then
        assertThat(Files.readAllBytes(a.file())).isEqualTo(Files.readAllBytes(b.file()));
        assertThat(a.metadata()).isEqualTo(b.metadata());
    }

    @Test
    void derivesTheSyncMarkerFromTheKey() throws IOException {
        // given
        SealedSegment segment = segment("Loan", 0, 7, 2);

        // when
        WarmSegment written = new WarmTier(warmDir, "events.all").write(segment);

        // then
        byte[] bytes = Files.readAllBytes(written.file());
        byte[] lastSixteen = Arrays.copyOfRange(bytes, bytes.length - 16, bytes.length);
        assertThat(lastSixteen).isEqualTo(SegmentFormat.syncMarker(segment.key()));
    }

    @Test
    void letsAnyAvroReaderDecodeEventsAndPayloadsWithTheSchemasTheFileCarries() throws IOException {
        // given
        WarmSegment written = new WarmTier(warmDir, "events.all").write(segment("Ticket", 1, 5, 2));

        // when
        List<String> activities = new ArrayList<>();
        List<String> aggregateIds = new ArrayList<>();
        try (DataFileReader<GenericRecord> reader =
                new DataFileReader<>(written.file().toFile(), new GenericDatumReader<>())) {
            String fingerprint = KnownSchemas.hex(KnownSchemas.fingerprint(ActivityRecorded.getClassSchema()));
            Schema payloadSchema =
                    new Schema.Parser().parse(reader.getMetaString(SegmentFormat.PAYLOAD_SCHEMA_PREFIX + fingerprint));
            for (GenericRecord envelope : reader) {
                aggregateIds.add(envelope.get("aggregateId").toString());
                ByteBuffer payload = (ByteBuffer) envelope.get("payload");
                byte[] body = Arrays.copyOfRange(payload.array(), payload.position() + 10, payload.limit());
                GenericRecord activity = new GenericDatumReader<GenericRecord>(payloadSchema)
                        .read(null, DecoderFactory.get().binaryDecoder(body, null));
                activities.add(activity.get("activity").toString());
            }
            assertThat(reader.getMetaString(SegmentFormat.SOURCE_OFFSETS)).isEqualTo("5,6");
            assertThat(reader.getMetaString(SegmentFormat.SOURCE_PARTITION)).isEqualTo("1");
        }

        // then
        assertThat(aggregateIds).containsExactly("T1", "T1");
        assertThat(activities).containsExactly("A_SUBMITTED", "A_SUBMITTED");
    }

    @Test
    void removesTheOldestStoredSegmentsOnceTheyTakeMoreThanTheBudgetAndNeverOneThatWaitsForUpload() throws IOException {
        // given a budget of about two segments
        WarmTier sizing = new WarmTier(warmDir.resolve("sizing"), "events.all");
        long size = sizing.write(segment("Loan", 0, 0, 5)).bytes();
        WarmTier warm = new WarmTier(warmDir.resolve("budget"), "events.all", 2 * size + size / 2);
        List<WarmSegment> written = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
            written.add(warm.write(segment("Loan", 0, n * 10L, 5)));
        }
        WarmSegment waiting = warm.write(segment("Loan", 0, 40, 5));

        // when
        written.forEach(warm::stored);

        // then
        assertThat(written.get(0).file()).doesNotExist();
        assertThat(written.get(1).file()).doesNotExist();
        assertThat(written.get(2).file()).exists();
        assertThat(written.get(3).file()).exists();
        assertThat(waiting.file()).exists();
        assertThat(warm.storedBytes()).isLessThanOrEqualTo(2 * size + size / 2);
    }

    @Test
    void takesTheFilesARunBeforeLeftAsStoredAndDeletesHalfWrittenOnes() throws IOException {
        // given
        WarmTier before = new WarmTier(warmDir, "events.all");
        WarmSegment old = before.write(segment("Loan", 0, 0, 5));
        Path partial = old.file().resolveSibling("00000000000000000010.avro.partial");
        Files.write(partial, new byte[] {1, 2, 3});

        // when
        WarmTier after = new WarmTier(warmDir, "events.all", 0);
        after.stored(after.write(segment("Loan", 0, 20, 5)));

        // then
        assertThat(partial).doesNotExist();
        assertThat(old.file()).doesNotExist();
        assertThat(after.storedBytes()).isZero();
    }

    private static SealedSegment segment(String type, int partition, long firstOffset, int count) {
        List<ArchivedEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(new ArchivedEvent(firstOffset + i, TestEvents.event(type, type.charAt(0) + "1", i)));
        }
        return new SealedSegment(
                new Chain(type, partition), SegmentKey.of(type, partition, firstOffset), events, SealReason.FULL);
    }
}
