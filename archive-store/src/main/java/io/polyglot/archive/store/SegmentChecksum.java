package io.polyglot.archive.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/** SHA-256 of segment bytes, as hex (object metadata) and as base64 ({@code x-amz-checksum-sha256}). */
public final class SegmentChecksum {

    private SegmentChecksum() {}

    /** SHA-256 of {@code bytes}, 64 lower-case hex digits. */
    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** SHA-256 of the file at {@code file}, 64 lower-case hex digits. */
    public static String sha256Hex(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256Hex(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " to compute its SHA-256", e);
        }
    }

    /** SHA-256 of everything left in {@code in}, 64 lower-case hex digits; the stream is read to its end. */
    public static String sha256Hex(InputStream in) throws IOException {
        MessageDigest digest = digest();
        try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
            digesting.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The base64 form the S3 checksum header carries for a hex SHA-256. */
    public static String base64OfHex(String sha256Hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256Hex));
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
