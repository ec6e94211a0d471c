package io.polyglot.archiver;

import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events of an open segment, appended to a file as they arrive (each envelope's body after its length), so an
 * open or sealed segment holds only its offsets and payload fingerprints in memory, whatever the size of its events.
 * The bodies are the records of the segment file as they will be written, so sealing copies bytes and encodes
 * nothing.
 *
 * <p>The file is not forced to disk: until its segment is stored, Kafka still holds every event and the committed
 * offset still points at or before the first one, so a journal lost in a crash is read again, never missed.
 */
final class SegmentJournal implements SegmentEvents {

    private static final Logger log = LoggerFactory.getLogger(SegmentJournal.class);

    private final Path file;
    private final List<Long> offsets = new ArrayList<>();
    private final SortedSet<Long> payloadFingerprints = new TreeSet<>();
    private final DataOutputStream out;
    private long bytes;
    private Instant firstEventTime;
    private Instant lastEventTime;

    private SegmentJournal(Path file, DataOutputStream out) {
        this.file = file;
        this.out = out;
    }

    /** A new, empty journal at {@code file}, replacing one a crashed run left there. */
    static SegmentJournal create(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return new SegmentJournal(
                    file, new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the journal " + file, e);
        }
    }

    /**
     * Appends an event; its offset must be after the last one.
     *
     * @param body the event's body in this build's envelope schema ({@link io.polyglot.schemas.EventCodec#encodeBody})
     */
    void append(long offset, EventEnvelope event, ByteBuffer body) {
        if (!offsets.isEmpty() && offset <= lastOffset()) {
            throw new IllegalArgumentException(
                    "offset " + offset + " is not after the last one of " + file.getFileName() + ", " + lastOffset());
        }
        ByteBuffer view = body.slice();
        int length = view.remaining();
        try {
            out.writeInt(length);
            out.write(view.array(), view.arrayOffset(), length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the journal " + file, e);
        }
        offsets.add(offset);
        payloadFingerprints.add(SegmentFormat.payloadFingerprint(event));
        bytes += Integer.BYTES + length;
        if (firstEventTime == null) {
            firstEventTime = event.getOccurredAt();
        }
        lastEventTime = event.getOccurredAt();
    }

    /** Takes no more events: flushes and closes the file, which stays readable until {@link #discard}. */
    SegmentJournal seal() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the journal " + file, e);
        }
        return this;
    }

    @Override
    public List<Long> offsets() {
        return Collections.unmodifiableList(offsets);
    }

    @Override
    public SortedSet<Long> payloadFingerprints() {
        return Collections.unmodifiableSortedSet(payloadFingerprints);
    }

    @Override
    public void forEachBody(BodySink sink) throws IOException {
        byte[] buffer = new byte[256];
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (int i = 0; i < offsets.size(); i++) {
                int length = in.readInt();
                if (length > buffer.length) {
                    buffer = new byte[Math.max(length, buffer.length * 2)];
                }
                in.readFully(buffer, 0, length);
                sink.accept(ByteBuffer.wrap(buffer, 0, length));
            }
        }
    }

    @Override
    public Instant firstEventTime() {
        return firstEventTime;
    }

    @Override
    public Instant lastEventTime() {
        return lastEventTime;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public void discard() {
        try {
            out.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A journal left behind is removed when the archiver starts next; it is never read as a segment.
            log.warn("Cannot delete the journal {}: {}", file, e.toString());
        }
    }
}
