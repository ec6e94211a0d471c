package io.polyglot.importer.log;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;

/**
 * Reads UTF-8 and refuses what is not: every character before a malformed byte sequence is handed out first, and the
 * read that reaches the sequence fails with a {@link java.nio.charset.MalformedInputException}. The JDK's own reader
 * fails as soon as its buffer holds such a sequence, dropping the characters before it, so a reader of lines could
 * not say on which line the sequence is. The exception says where the sequence is: its line and column, counted from
 * 1 in characters (a line ends at LF, CR or CR LF), the column being that of the character the bytes failed to be.
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
    private long line = 1;
    private long column = 1;
    private boolean afterCarriageReturn;

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
                throw new NotUtf8Exception(fault.length(), line, column);
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
        count(chars);
    }

    /** Moves the position past {@code decoded}, the characters handed out next. */
    private void count(CharBuffer decoded) {
        for (int i = decoded.position(); i < decoded.limit(); i++) {
            char c = decoded.get(i);
            if (c == '\n' && afterCarriageReturn) {
                afterCarriageReturn = false;
            } else if (c == '\n' || c == '\r') {
                line++;
                column = 1;
                afterCarriageReturn = c == '\r';
            } else {
                afterCarriageReturn = false;
                // the second half of a surrogate pair is the same character as the first
                if (!Character.isLowSurrogate(c)) {
                    column++;
                }
            }
        }
    }

    @Override
    public void close() {
        // The caller owns the stream.
    }

    /** A byte sequence that is no UTF-8 character, and where it is. */
    static final class NotUtf8Exception extends MalformedInputException {

        private final long line;
        private final long column;

        NotUtf8Exception(int length, long line, long column) {
            super(length);
            this.line = line;
            this.column = column;
        }

        /** The 1-based line of the sequence. */
        long line() {
            return line;
        }

        /** The 1-based column of the sequence, in characters. */
        long column() {
            return column;
        }

        @Override
        public String getMessage() {
            return "a byte sequence that is no UTF-8 character at line " + line + ", column " + column;
        }
    }
}
