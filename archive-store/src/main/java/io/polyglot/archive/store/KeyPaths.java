package io.polyglot.archive.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The guard between object keys and the file system: a key is read or restored only when it is a plain relative
 * path that cannot leave the folder it is meant for.
 *
 * <p>The archiver's own keys are safe by construction (their names go through {@code SafeSegment}), but a key can also
 * come from a listing of a bucket others write to, or from a person typing it; and a filesystem-backed store resolves
 * {@code ..} in a key like a path. So every read and restore in this module checks the key here first.
 */
public final class KeyPaths {

    /** The longest key S3 accepts, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;

    private KeyPaths() {}

    /**
     * Refuses {@code key} unless it is a relative path of non-empty parts, none {@code .} or {@code ..}, without a
     * backslash or control character, within {@link #MAX_KEY_BYTES}.
     *
     * @return {@code key}
     * @throws UnsafeKeyException naming the key and why it is refused
     */
    public static String requireSafe(String key) {
        problem(key).ifPresent(reason -> {
            throw new UnsafeKeyException(key, reason);
        });
        return key;
    }

    /**
     * The file {@code key} stands for under {@code folder}, refused unless the key is safe and stays inside it.
     *
     * @throws UnsafeKeyException naming the key and why it is refused
     */
    public static Path resolveInside(Path folder, String key) {
        requireSafe(key);
        Path root = folder.toAbsolutePath().normalize();
        Path resolved = root.resolve(key).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw new UnsafeKeyException(key, "it leaves " + root);
        }
        return resolved;
    }

    private static Optional<String> problem(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.of("a key is never empty");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            return Optional.of("it is longer than " + MAX_KEY_BYTES + " bytes");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isISOControl(c)) {
                return Optional.of("it holds a control character at " + i);
            }
            if (c == '\\') {
                return Optional.of("it holds a backslash at " + i);
            }
        }
        if (key.startsWith("/")) {
            return Optional.of("it is absolute");
        }
        for (String part : key.split("/", -1)) {
            if (part.isEmpty()) {
                return Optional.of("it has an empty part");
            }
            if (part.equals(".") || part.equals("..")) {
                return Optional.of("it has a part '" + part + "'");
            }
        }
        return Optional.empty();
    }
}
