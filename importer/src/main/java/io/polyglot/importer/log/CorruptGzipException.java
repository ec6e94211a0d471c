package io.polyglot.importer.log;

import java.io.EOFException;
import java.io.IOException;
import java.util.zip.ZipException;

/**
 * A gzipped log whose compressed bytes end too early or are damaged: the file was cut short (a copy or download that
 * did not finish) or changed, not an XES or CSV document that breaks its format. Whatever decompressed before the
 * fault was read; nothing after it can be.
 */
public final class CorruptGzipException extends IOException {

    private static final long serialVersionUID = 1L;

    private CorruptGzipException(String message, IOException cause) {
        super(message, cause);
    }

    /**
     * The fault {@link java.util.zip.GZIPInputStream} raised, in the words of the file rather than the stream: an
     * {@link EOFException} when the compressed data ends early, a {@link ZipException} when it is damaged.
     */
    static CorruptGzipException of(IOException cause) {
        String message = cause instanceof ZipException
                ? "the gzip file is corrupt: " + cause.getMessage()
                : "the gzip file is truncated: it ends before its compressed data does (cut short while copied?)";
        return new CorruptGzipException(message, cause);
    }

    /**
     * Throws the compression fault behind {@code failure}, if there is one: an XML or CSV parser hands on a fault of
     * the stream it reads wrapped in its own exception, as if it were a fault of the document.
     */
    public static void throwIfBehind(Throwable failure) throws CorruptGzipException {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CorruptGzipException corrupt) {
                throw corrupt;
            }
        }
    }
}
