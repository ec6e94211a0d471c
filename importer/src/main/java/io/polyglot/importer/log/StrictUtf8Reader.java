package io.polyglot.importer.log;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads UTF-8 and refuses what is not: every character before a malformed byte sequence is handed out first, and the
 * read that reaches the sequence fails with a {@link java.nio.charset.MalformedInputException}. The JDK's own reader
 * fails as soon as its buffer holds such a sequence, dropping the characters before it, so a reader of lines could
 * not say on which line the sequence is.
 */
final class StrictUtf8Reader extends Reader {

    private static final int BUFFER = 8_192;

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER).flip();
    private final CharBuffer chars = CharBuffer.allocate(BUFFER).flip();
    private boolean endOfInput;
    private CoderResult fault;

    /** @param in the bytes; the caller closes it */
    StrictUtf8Reader(InputStream in) {
        this.in = in;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (!chars.hasRemaining()) {
            if (fault != null) {
                fault.throwException();
            }
            if (endOfInput && !bytes.hasRemaining()) {
                return -1;
            }
            decodeMore();
        }
        int n = Math.min(length, chars.remaining());
        chars.get(buffer, offset, n);
        return n;
    }

    private void decodeMore() throws IOException {
        if (!endOfInput) {
            bytes.compact();
            int read = in.read(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            if (read < 0) {
                endOfInput = true;
            } else {
                bytes.position(bytes.position() + read);
            }
            bytes.flip();
        }
        chars.clear();
        CoderResult result = decoder.decode(bytes, chars, endOfInput);
        if (result.isError()) {
            fault = result;
        } else if (endOfInput && !bytes.hasRemaining()) {
            decoder.flush(chars);
        }
        chars.flip();
    }

    @Override
    public void close() {
        // The caller owns the stream.
    }
}
