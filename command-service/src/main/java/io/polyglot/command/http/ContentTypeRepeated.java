package io.polyglot.command.http;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A request with more than one {@code Content-Type} field line: HTTP defines the field as a single value (RFC 9110,
 * 5.3 and 8.3), so the body's media type is ambiguous and the request is refused as {@code 400 bad-request}.
 */
final class ContentTypeRepeated extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ContentTypeRepeated(List<String> declared) {
        super("the request has " + declared.size() + " Content-Type headers ("
                + declared.stream().map(ContentType::quoted).collect(Collectors.joining(", "))
                + "); HTTP allows one, so the body's media type is ambiguous");
    }
}
