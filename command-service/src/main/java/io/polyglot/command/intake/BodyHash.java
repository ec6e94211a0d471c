package io.polyglot.command.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a command's JSON, written back compactly from its parsed tree: the same command sent again, even
 * with other whitespace, hashes the same, so a retry is told from a command id reused for another body.
 *
 * <p>The compact form is written straight into the digest of the calling thread, never held as bytes of its own.
 */
final class BodyHash {

    private static final ThreadLocal<DigestSink> SINKS = ThreadLocal.withInitial(DigestSink::new);

    private BodyHash() {}

    static String of(ObjectMapper json, JsonNode command) {
        DigestSink sink = SINKS.get();
        sink.sha256.reset();
        try {
            json.writeValue(sink, command);
        } catch (IOException e) {
            throw new IllegalStateException("a parsed JSON tree is always writable", e);
        }
        return HexFormat.of().formatHex(sink.sha256.digest());
    }

    /** An output stream that only feeds a SHA-256 digest; closing it does nothing. */
    private static final class DigestSink extends OutputStream {
        private final MessageDigest sha256;

        DigestSink() {
            try {
                this.sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }

        @Override
        public void write(int b) {
            sha256.update((byte) b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            sha256.update(bytes, offset, length);
        }
    }
}
