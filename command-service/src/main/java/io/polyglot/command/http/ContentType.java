package io.polyglot.command.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code Content-Type} value, read by the grammar of RFC 9110 (8.3.1 and 5.6.6) and by nothing looser: a media
 * type {@code type/subtype}, then parameters, each {@code ;} and {@code name=value}, the value a token or a quoted
 * string; spaces and tabs may stand around each {@code ;} only, and an empty parameter ({@code ;;}) is allowed.
 * A value that breaks the grammar is {@link Unreadable}, saying where: a service that guessed what such a value meant
 * could read the body in another charset than the client wrote it in.
 *
 * @param mediaType the type and subtype, in lower case
 * @param parameters every parameter, in order, its name in lower case and its value unquoted
 */
record ContentType(String mediaType, List<Parameter> parameters) {

    /** Characters of a token other than letters and digits (RFC 9110, 5.6.2). */
    private static final String TOKEN_MARKS = "!#$%&'*+-.^_`|~";

    /** A longer value is shortened where a problem quotes it. */
    private static final int QUOTED_LENGTH = 100;

    ContentType {
        parameters = List.copyOf(parameters);
    }

    /** One parameter: {@code name} in lower case, {@code value} as it reads once unquoted. */
    record Parameter(String name, String value) {}

    /** The values of every parameter named {@code name} (lower case), in order. */
    List<String> values(String name) {
        return parameters.stream()
                .filter(parameter -> parameter.name().equals(name))
                .map(Parameter::value)
                .toList();
    }

    /**
     * Reads a {@code Content-Type} value; spaces and tabs around the whole value are no part of it.
     *
     * @throws Unreadable when the value breaks the grammar, saying where
     */
    static ContentType parse(String header) {
        int first = whitespace(header, 0);
        int last = header.length();
        while (last > first && (header.charAt(last - 1) == ' ' || header.charAt(last - 1) == '\t')) {
            last--;
        }
        String value = header.substring(first, last);
        int slash = token(value, 0);
        if (slash == 0) {
            throw new Unreadable("it does not start with a media type (type/subtype)");
        }
        if (slash == value.length() || value.charAt(slash) != '/') {
            throw new Unreadable("the media type " + quoted(value.substring(0, slash)) + " has no '/' and subtype");
        }
        int end = token(value, slash + 1);
        if (end == slash + 1) {
            throw new Unreadable("the media type has no subtype after '/'");
        }
        String mediaType = value.substring(0, end).toLowerCase(Locale.ROOT);
        List<Parameter> parameters = new ArrayList<>();
        String after = "the media type";
        int at = whitespace(value, end);
        while (at < value.length()) {
            if (value.charAt(at) != ';') {
                throw new Unreadable(
                        quoted(value.substring(at)) + " follows " + after + " where ';' or the end belongs");
            }
            at = whitespace(value, at + 1);
            if (at == value.length() || value.charAt(at) == ';') {
                continue;
            }
            Read parameter = parameter(value, at);
            parameters.add(new Parameter(parameter.name(), parameter.value()));
            at = whitespace(value, parameter.end());
            after = "the value of parameter " + quoted(parameter.name());
        }
        return new ContentType(mediaType, parameters);
    }

    /** The parameter that starts at {@code from}, and where it ends. */
    private static Read parameter(String value, int from) {
        int equals = token(value, from);
        if (equals == from) {
            throw new Unreadable("a parameter starts with " + quoted(value.substring(from, from + 1))
                    + ", which no parameter name holds");
        }
        String name = value.substring(from, equals);
        if (equals == value.length() || value.charAt(equals) != '=') {
            throw new Unreadable("parameter " + quoted(name) + " has no '=' and value");
        }
        int start = equals + 1;
        if (start < value.length() && value.charAt(start) == '"') {
            StringBuilder unquoted = new StringBuilder();
            int end = quotedString(value, start, name, unquoted);
            return new Read(name.toLowerCase(Locale.ROOT), unquoted.toString(), end);
        }
        int end = token(value, start);
        if (end == start) {
            throw new Unreadable("parameter " + quoted(name) + " has no value after '='");
        }
        return new Read(name.toLowerCase(Locale.ROOT), value.substring(start, end), end);
    }

    /** Unquotes the quoted string that opens at {@code open} into {@code text}; the index after its closing quote. */
    private static int quotedString(String value, int open, String name, StringBuilder text) {
        for (int at = open + 1; at < value.length(); at++) {
            char c = value.charAt(at);
            if (c == '"') {
                return at + 1;
            }
            if (c == '\\' && at + 1 < value.length()) {
                c = value.charAt(++at);
            }
            if (c != '\t' && (c < ' ' || c == 0x7f)) {
                throw new Unreadable("the quoted value of parameter " + quoted(name) + " holds a control character");
            }
            text.append(c);
        }
        throw new Unreadable("the quoted value of parameter " + quoted(name) + " is not closed");
    }

    /** The end of the token that starts at {@code from}; {@code from} itself when none does. */
    private static int token(String value, int from) {
        int at = from;
        while (at < value.length() && isTokenChar(value.charAt(at))) {
            at++;
        }
        return at;
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || TOKEN_MARKS.indexOf(c) >= 0;
    }

    /** The index of the first character at or after {@code from} that is neither a space nor a tab. */
    private static int whitespace(String value, int from) {
        int at = from;
        while (at < value.length() && (value.charAt(at) == ' ' || value.charAt(at) == '\t')) {
            at++;
        }
        return at;
    }

    /** {@code text} in single quotes, shortened when long, for a problem to name. */
    static String quoted(String text) {
        return "'" + (text.length() <= QUOTED_LENGTH ? text : text.substring(0, QUOTED_LENGTH) + "...") + "'";
    }

    /** A parameter as read, with the index where it ends. */
    private record Read(String name, String value, int end) {}

    /** A {@code Content-Type} value that breaks the grammar; the message says where. */
    static final class Unreadable extends RuntimeException {

        private static final long serialVersionUID = 1L;

        Unreadable(String reason) {
            super(reason);
        }
    }
}
