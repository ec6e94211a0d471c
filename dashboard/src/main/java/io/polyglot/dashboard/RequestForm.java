package io.polyglot.dashboard;

import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The parameters of a request that changes something: its query string and its form (URL-encoded or multipart) taken
 * alike, so a field is never dropped for coming the other way, and checked against the names the route takes, so none
 * is ignored silently. A body that cannot be read as the form it claims to be is the client's mistake: 400
 * {@code malformed-request}, never an internal error.
 */
public final class RequestForm {

    private final Map<String, List<String>> fields;
    private final Map<String, List<UploadedFile>> uploads;

    private RequestForm(Map<String, List<String>> fields, Map<String, List<UploadedFile>> uploads) {
        this.fields = fields;
        this.uploads = uploads;
    }

    /**
     * Reads the request's parameters, which must all be among {@code names}.
     *
     * @throws ProblemException 400 {@code malformed-request} for a body that is not the form it claims to be, 400
     *     {@code invalid-parameter} naming a parameter the route does not take, 413 for a part over the upload limit
     */
    public static RequestForm read(Context ctx, Set<String> names) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((name, values) -> fields.put(name, new ArrayList<>(values)));
        Map<String, List<UploadedFile>> uploads = new LinkedHashMap<>();
        try {
            ctx.formParamMap()
                    .forEach((name, values) ->
                            fields.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
            if (ctx.isMultipartFormData()) {
                uploads.putAll(ctx.uploadedFileMap());
            }
        } catch (Exception e) {
            // Javalin passes Jetty's checked IOException and ServletException on undeclared, so Exception is caught.
            throw unreadable(ctx, e);
        }
        RequestForm form = new RequestForm(fields, uploads);
        form.requireOnly(names);
        return form;
    }

    /**
     * Checks the query string of a reading route the way the views endpoint does: every parameter among {@code names}
     * and none given twice.
     *
     * @throws ProblemException 400 {@code invalid-parameter} naming the first parameter at fault
     */
    public static void requireQuery(Context ctx, Set<String> names) {
        new RequestForm(new LinkedHashMap<>(ctx.queryParamMap()), Map.of()).requireOnly(names);
        ctx.queryParamMap().forEach((name, values) -> {
            if (values.size() > 1) {
                throw ProblemException.badParameter(name, name + " is given " + values.size() + " times; give it once");
            }
        });
    }

    /**
     * Checks that {@code value}, given as parameter {@code name}, is one of {@code choices}; null or blank is none
     * given. A value the route would otherwise ignore or replace by another is the client's mistake.
     *
     * @throws ProblemException 400 {@code invalid-parameter} naming the parameter and every value it can have
     */
    public static void requireOneOf(String name, String value, Collection<String> choices) {
        if (value != null && !value.isBlank() && !choices.contains(value)) {
            throw ProblemException.badParameter(
                    name, name + " '" + value + "' is none of " + String.join(", ", choices));
        }
    }

    /**
     * Every value of {@code name}, from the query string first, then the form; none when it is not given. Only an
     * absent parameter is none: {@code view=} on a rebuild is not "every view", so a blank value is refused.
     *
     * @throws ProblemException 400 {@code invalid-parameter} naming {@code name} when a value of it is blank
     */
    public List<String> values(String name) {
        List<String> values = fields.getOrDefault(name, List.of());
        if (values.stream().anyMatch(String::isBlank)) {
            throw ProblemException.badParameter(name, name + " is given blank; leave it out or give a value");
        }
        return List.copyOf(values);
    }

    /**
     * The one value of {@code name}, or null when it is not given.
     *
     * @throws ProblemException 400 naming {@code name} when it is given more than once or blank
     */
    public String value(String name) {
        List<String> values = values(name);
        if (values.size() > 1) {
            throw ProblemException.badParameter(name, name + " is given " + values.size() + " times; give it once");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    /** The file uploaded as {@code name}; a file input left empty (a part with no file name) is none. */
    public Optional<UploadedFile> upload(String name) {
        List<UploadedFile> files = uploads.getOrDefault(name, List.of()).stream()
                .filter(file -> file.filename() != null && !file.filename().isBlank())
                .toList();
        if (files.size() > 1) {
            throw ProblemException.badParameter(name, "upload one file, not " + files.size());
        }
        return files.stream().findFirst();
    }

    private void requireOnly(Set<String> names) {
        Set<String> given = new TreeSet<>(fields.keySet());
        given.addAll(uploads.keySet());
        given.removeAll(names);
        if (!given.isEmpty()) {
            String name = given.iterator().next();
            throw ProblemException.badParameter(
                    name, "unknown parameter " + name + "; this route takes " + (names.isEmpty() ? "none" : names));
        }
    }

    private static ProblemException unreadable(Context ctx, Exception e) {
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("exceeds")) {
            // Jetty refuses a part over the multipart limit before the dashboard sees a byte of it.
            return ProblemException.tooLarge("a part of the request is over the upload limit: " + e.getMessage());
        }
        if (e instanceof IOException
                || e instanceof jakarta.servlet.ServletException
                || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            return ProblemException.malformed(
                    "the body cannot be read as " + ctx.contentType() + ": " + e.getMessage());
        }
        throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
    }
}
