package io.polyglot.importer.log;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Bounds the bytes an XML document may hold between two {@code <}: an attribute value and a text cannot hold a
 * {@code <}, so every value the StAX reader must keep in memory whole (the JDK's reader has no bound of its own on
 * an attribute or a text) lies in one such run. A log past the bound is refused before the value exhausts the heap.
 */
final class MarkupRunLimit extends FilterInputStream {

    private final long limit;
    private long run;
    private boolean exceeded;

    MarkupRunLimit(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    /** Whether the document ran past the bound, which is why reading it stopped. */
    boolean exceeded() {
        return exceeded;
    }

    long limit() {
        return limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(b);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        for (int i = offset; i < offset + n; i++) {
            count(buffer[i]);
        }
        return n;
    }

    private void count(int b) throws IOException {
        run = b == '<' ? 0 : run + 1;
        if (run > limit) {
            exceeded = true;
            throw new IOException("more than " + limit + " bytes without markup");
        }
    }
}
