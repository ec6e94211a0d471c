package io.polyglot.importer.log;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An event log file opened for streaming: decompressed on the fly when its name ends in {@code .gz}, and counting the
 * bytes read from disk so progress can be told as a share of the file's size, compressed or not.
 */
public final class LogSource implements AutoCloseable {

    private static final int BUFFER_BYTES = 1 << 16;

    private final Path file;
    private final long totalBytes;
    private final AtomicLong bytesRead = new AtomicLong();
    private final InputStream stream;
    private final boolean gzipped;

    private LogSource(Path file) throws IOException {
        this.file = file;
        this.totalBytes = Files.size(file);
        InputStream counted = new CountingStream(Files.newInputStream(file), bytesRead);
        InputStream buffered = new BufferedInputStream(counted, BUFFER_BYTES);
        this.gzipped = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
        this.stream = gzipped ? new BufferedInputStream(new GzipFaults(gunzip(buffered)), BUFFER_BYTES) : buffered;
    }

    /** The decompressing stream; reading the gzip header can already find the file cut short or not gzip at all. */
    private static InputStream gunzip(InputStream compressed) throws IOException {
        try {
            return new GZIPInputStream(compressed, BUFFER_BYTES);
        } catch (EOFException | ZipException e) {
            throw CorruptGzipException.of(e);
        }
    }

    /** Opens the file; the caller closes the source. */
    public static LogSource open(Path file) throws IOException {
        return new LogSource(file);
    }

    /** The log's content, decompressed. */
    public InputStream stream() {
        return stream;
    }

    /**
     * Reads a gzipped log once to its end, apart from the stream the events are read from, before any of it is used:
     * its compressed data, the CRC-32 and the length in its trailer. Damage inside the compressed data mostly
     * decompresses to other text, which would be read as events with other values and sent for good before the trailer
     * told; checked whole first, a damaged log sends nothing. It costs one more decompression (about a quarter of a
     * second for the 3.3 MB of the BPI 2012 log). Does nothing for a log that is not gzipped.
     *
     * @throws CorruptGzipException when the gzip file is truncated or corrupt
     */
    public void checkWhole() throws IOException {
        if (!gzipped) {
            return;
        }
        try (InputStream whole =
                new GzipFaults(gunzip(new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES)))) {
            whole.transferTo(OutputStream.nullOutputStream());
        }
    }

    /**
     * Reads what is left of a gzipped log to its end, for a reader that stopped at a fault of the XES or CSV: damaged
     * compressed data mostly decompresses to other text instead of failing, so the damage shows as a fault of the
     * document, and only the rest of the data, the CRC-32 and the length in the gzip trailer tell that the file is at
     * fault. Does nothing for a log that is not gzipped.
     *
     * @throws CorruptGzipException when the gzip file is truncated or corrupt
     */
    public void readToEnd() throws IOException {
        if (gzipped) {
            stream.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** The file's size on disk. */
    public long totalBytes() {
        return totalBytes;
    }

    /** How many of the file's bytes have been read from disk so far; safe to call from any thread. */
    public long bytesRead() {
        return bytesRead.get();
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }

    /**
     * Tells a truncated or damaged gzip file by its name: {@link GZIPInputStream} reports the first as a bare
     * {@link EOFException} and the second as a {@link ZipException}, which the parsers above would pass on as a fault
     * of the XES or CSV document at the place they had reached.
     */
    private static final class GzipFaults extends FilterInputStream {

        GzipFaults(InputStream gzip) {
            super(gzip);
        }

        /**
         * Never claims bytes are ready: a {@link BufferedInputStream} above reads on within one call while they are,
         * and a fault in that second read would discard what the first one gave, the last events before a break.
         */
        @Override
        public int available() {
            return 0;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (EOFException | ZipException e) {
                throw CorruptGzipException.of(e);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return super.read(buffer, offset, length);
            } catch (EOFException | ZipException e) {
                throw CorruptGzipException.of(e);
            }
        }
    }

    /** Counts what passes through, for progress. */
    private static final class CountingStream extends FilterInputStream {

        private final AtomicLong count;

        CountingStream(InputStream in, AtomicLong count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count.addAndGet(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count.addAndGet(skipped);
            return skipped;
        }
    }
}
