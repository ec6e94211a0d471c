package io.polyglot.archive.store;

/** A key that could leave its folder was refused before any request or file was made from it; never retriable. */
public final class UnsafeKeyException extends ArchiveStoreException {

    private static final long serialVersionUID = 1L;

    private final String key;

    /** Refuses {@code key} for {@code reason}. */
    public UnsafeKeyException(String key, String reason) {
        super("refused key '" + printable(key) + "': " + reason, false, null);
        this.key = key;
    }

    /** The refused key, as given. */
    public String key() {
        return key;
    }

    /** The key with control characters shown as {@code \\uXXXX}, so a log line cannot be forged through it. */
    private static String printable(String key) {
        if (key == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(key.length());
        key.chars().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append((char) c);
            }
        });
        return out.toString();
    }
}
