package io.polyglot.command.http;

import io.javalin.http.Context;
import io.polyglot.command.intake.Problem;
import io.polyglot.command.intake.ProblemType;
import io.polyglot.schemas.Names;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The path parameters of the read routes, taken as names of the design's rules. A path segment is percent-encoded
 * UTF-8, else the request is {@code 400 bad-request} naming the segment: Javalin would decode the bytes of
 * {@code %ff%fe} to U+FFFD and look up a name nobody sent. Decoded, a parameter must be a valid aggregate type or
 * id, else {@code 400 bad-request} naming the parameter: a name the rules refuse can never be known, and an encoded
 * slash ({@code a%2Fb}) decodes to an id with {@code /}, which no id may hold.
 */
final class PathParameters {

    private PathParameters() {}

    /**
     * Refuses a request whose path has a segment that is not percent-encoded UTF-8; every route runs it, after the
     * token check. Jetty has already refused an escape that is not {@code %} and two hex digits.
     */
    static void requireUtf8(Context ctx) {
        String path = ctx.req().getRequestURI();
        if (path.indexOf('%') < 0) {
            return;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.indexOf('%') >= 0 && !isUtf8(segment)) {
                throw new PathRefusedException(Problem.of(
                        ProblemType.BAD_REQUEST, "the path segment '" + segment + "' is not percent-encoded UTF-8"));
            }
        }
    }

    /** The path parameter {@code name} as an aggregate type. */
    static String aggregateType(Context ctx, String name) {
        String type = ctx.pathParam(name);
        Names.aggregateTypeProblem(type).ifPresent(problem -> refuse(name, "aggregate type " + problem));
        return type;
    }

    /** The path parameter {@code name} as an id; {@code what} names the id in the problem. */
    static String id(Context ctx, String name, String what) {
        String id = ctx.pathParam(name);
        Names.idProblem(id).ifPresent(problem -> refuse(name, what + " " + problem));
        return id;
    }

    /**
     * {@code text} as one path segment: percent-encoded UTF-8, a space as {@code %20}. {@link URLEncoder} writes a
     * space as {@code +}, which a path keeps as a plus sign, so the id {@code Case 1} would come back as
     * {@code Case+1}.
     */
    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void refuse(String name, String detail) {
        throw new PathRefusedException(Problem.withMembers(ProblemType.BAD_REQUEST, detail, Map.of("parameter", name)));
    }

    /** Whether the escapes and characters of {@code segment} spell UTF-8 (and every escape is two hex digits). */
    private static boolean isUtf8(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        int i = 0;
        while (i < segment.length()) {
            if (segment.charAt(i) != '%') {
                int end = segment.indexOf('%', i);
                end = end < 0 ? segment.length() : end;
                bytes.writeBytes(segment.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
                continue;
            }
            int high = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
            int low = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 2), 16) : -1;
            if (high < 0 || low < 0) {
                return false;
            }
            bytes.write(high * 16 + low);
            i += 3;
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
