package io.polyglot.command.intake;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a command's JSON, in two forms.
 *
 * <p>{@link #canonical} hashes the command's {@link CanonicalForm}: bodies the intake reads as the same command hash
 * the same, however their keys are ordered, their optional fields left out or sent as {@code null}, or their business
 * times offset; it is what tells a retry from a command id reused for another body. {@link #asSent} hashes the parsed
 * tree written back compactly with its keys in the order they were sent, the body hash of the versions before the
 * canonical form: the decider still holds it for the commands those versions decided, so a retry of one of them is
 * recognised by it.
 *
 * <p>Either form is written straight into the digest of the calling thread, never held as bytes of its own.
 */
final class BodyHash {

    private static final ThreadLocal<DigestSink> SINKS = ThreadLocal.withInitial(DigestSink::new);

    private BodyHash() {}

    /** The hash of {@code command} in canonical form, with the notes {@code form} took while it was read. */
    static String canonical(ObjectMapper json, JsonNode command, CanonicalForm form) {
        return digest(sink -> {
            try (JsonGenerator out = json.createGenerator(sink)) {
                form.write(json, command, out);
            }
        });
    }

    /** The hash of {@code command} written compactly with its keys in the order they were sent. */
    static String asSent(ObjectMapper json, JsonNode command) {
        return digest(sink -> json.writeValue(sink, command));
    }

    private static String digest(Writing writing) {
        DigestSink sink = SINKS.get();
        sink.sha256.reset();
        try {
            writing.into(sink);
        } catch (IOException e) {
            throw new IllegalStateException("a parsed JSON tree is always writable", e);
        }
        return HexFormat.of().formatHex(sink.sha256.digest());
    }

    /** Writes a command's JSON into a sink. */
    private interface Writing {
        void into(OutputStream sink) throws IOException;
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
