package io.polyglot.runtime;

/** A setting whose value cannot be used; the message names the key, the value (masked if secret) and the reason. */
public class InvalidSettingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidSettingException(String message) {
        super(message);
    }
}
