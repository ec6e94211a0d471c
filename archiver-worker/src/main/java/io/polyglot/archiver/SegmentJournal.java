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
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events of an open segment (each envelope's body), kept in memory while the journals' shared {@link Memory}
 * allows and otherwise appended to a file, each body after its length: the journals of an archiver hold at most that
 * much of their events in memory, whatever the size and the number of their segments. The bodies are the records of
 * the segment file as they will be written, so sealing copies bytes and encodes nothing. A journal that fits in
 * memory creates no file: with small segments, creating and deleting a file for each would cost more than the rest of
 * the journal's work.
 *
 * <p>The file is not forced to disk: until its segment is stored, Kafka still holds every event and the committed
 * offset still points at or before the first one, so a journal lost in a crash is read again, never missed.
 *
 * <p>The poll loop appends and seals; the thread that writes the sealed segment to the warm tier may read and discard
 * it, after the seal.
 */
final class SegmentJournal implements SegmentEvents {

    private static final Logger log = LoggerFactory.getLogger(SegmentJournal.class);

    private final Path file;
    private final Memory memory;
    private final List<Long> offsets = new ArrayList<>();
    private final SortedSet<Long> payloadFingerprints = new TreeSet<>();
    private List<byte[]> held = new ArrayList<>();
    private long heldBytes;
    private DataOutputStream out;
    private boolean discarded;
    private long bytes;
    private Instant firstEventTime;
    private Instant lastEventTime;

    private SegmentJournal(Path file, Memory memory) {
        this.file = file;
        this.memory = memory;
    }

    /**
     * A new, empty journal that keeps its events in {@code memory} while it allows, and in {@code file} from the
     * first event it does not (replacing a file a crashed run left there).
     */
    static SegmentJournal create(Path file, Memory memory) {
        return new SegmentJournal(file, memory);
    }

    /**
     * Appends an event; its offset must be after the last one.
     *
     * @param body the event's body in this build's envelope schema ({@link io.polyglot.schemas.EventCodec.Decoded})
     */
    synchronized void append(long offset, EventEnvelope event, ByteBuffer body) {
        if (!offsets.isEmpty() && offset <= lastOffset()) {
            throw new IllegalArgumentException(
                    "offset " + offset + " is not after the last one of " + file.getFileName() + ", " + lastOffset());
        }
        ByteBuffer view = body.slice();
        int length = view.remaining();
        if (out == null && memory.take(length)) {
            byte[] copy = new byte[length];
            view.get(copy);
            held.add(copy);
            heldBytes += length;
        } else {
            try {
                spill();
                out.writeInt(length);
                out.write(view.array(), view.arrayOffset(), length);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to the journal " + file, e);
            }
        }
        offsets.add(offset);
        payloadFingerprints.add(SegmentFormat.payloadFingerprint(event));
        bytes += Integer.BYTES + length;
        if (firstEventTime == null) {
            firstEventTime = event.getOccurredAt();
        }
        lastEventTime = event.getOccurredAt();
    }

    /** Moves the events held in memory to the file, which it creates, and gives their memory back; once. */
    private void spill() throws IOException {
        if (out != null) {
            return;
        }
        Files.createDirectories(file.getParent());
        DataOutputStream opened = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        try {
            for (byte[] body : held) {
                opened.writeInt(body.length);
                opened.write(body);
            }
        } catch (IOException e) {
            opened.close();
            throw e;
        }
        out = opened;
        held = List.of();
        memory.give(heldBytes);
        heldBytes = 0;
    }

    /** Takes no more events: flushes and closes the file, if it has one, which stays readable until {@link #discard}. */
    synchronized SegmentJournal seal() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close the journal " + file, e);
            }
        }
        return this;
    }

    /** Whether the events are in a file rather than in memory. */
    synchronized boolean onDisk() {
        return out != null;
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
    public synchronized void forEachBody(BodySink sink) throws IOException {
        if (discarded) {
            throw new IllegalStateException("the journal " + file.getFileName() + " was discarded");
        }
        if (out == null) {
            for (byte[] body : held) {
                sink.accept(ByteBuffer.wrap(body));
            }
            return;
        }
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
    public synchronized void discard() {
        if (discarded) {
            return;
        }
        discarded = true;
        held = List.of();
        memory.give(heldBytes);
        heldBytes = 0;
        if (out == null) {
            return;
        }
        try {
            out.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A journal left behind is removed when the archiver starts next; it is never read as a segment.
            log.warn("Cannot delete the journal {}: {}", file, e.toString());
        }
    }

    /**
     * The bytes of events the journals of one archiver may hold in memory together; a journal takes from it for each
     * event it keeps and gives it all back when it moves to its file or is discarded. Thread-safe.
     */
    static final class Memory {

        private final long limit;
        private final AtomicLong free;

        /** At most {@code bytes} of bodies in memory; 0 puts every journal in a file. */
        Memory(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("the journals' memory cannot be negative, got " + bytes);
            }
            this.limit = bytes;
            this.free = new AtomicLong(bytes);
        }

        /** Takes {@code bytes} if that many are free. */
        boolean take(long bytes) {
            long now = free.get();
            while (now >= bytes) {
                if (free.compareAndSet(now, now - bytes)) {
                    return true;
                }
                now = free.get();
            }
            return false;
        }

        /** Gives back {@code bytes} taken before. */
        void give(long bytes) {
            free.addAndGet(bytes);
        }

        /** How many bytes the journals hold in memory now. */
        long used() {
            return limit - free.get();
        }
    }
}
