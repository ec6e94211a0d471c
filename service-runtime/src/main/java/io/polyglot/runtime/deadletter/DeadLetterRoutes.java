package io.polyglot.runtime.deadletter;

import io.polyglot.runtime.AdminResponse;
import io.polyglot.runtime.AdminRoutes;
import io.polyglot.runtime.KafkaUnavailableException;
import io.polyglot.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The routes every worker's dead-letter endpoints share, under {@code /admin/dead-letters} of its
 * {@link io.polyglot.runtime.ServiceEndpoint}: {@code GET /admin/dead-letters} lists the group's dead letters with
 * their resolutions, {@code POST /admin/dead-letters/{partition}/{offset}/retry} and {@code .../skip} decide about one.
 * This class only reads the request; what a list, a retry or a skip means is the worker's. Requests are answered one
 * at a time, so two decisions about the same dead letter never interleave within a process.
 */
public abstract class DeadLetterRoutes implements AdminRoutes {

    private static final String LIST = "/admin/dead-letters";
    private static final Pattern ACTION = Pattern.compile("^/admin/dead-letters/(\\d{1,9})/(\\d{1,19})/(retry|skip)$");

    @Override
    public final synchronized AdminResponse handle(String method, String path) {
        try {
            if (path.equals(LIST) || path.equals(LIST + "/")) {
                return "GET".equals(method) ? list() : notAllowed(method, path);
            }
            Matcher action = ACTION.matcher(path);
            if (!action.matches()) {
                return AdminResponse.problem(404, "not-found", "no such route: " + path);
            }
            if (!"POST".equals(method)) {
                return notAllowed(method, path);
            }
            int partition = Integer.parseInt(action.group(1));
            long offset = Long.parseLong(action.group(2));
            return "retry".equals(action.group(3)) ? retry(partition, offset) : skip(partition, offset);
        } catch (KafkaUnavailableException e) {
            return AdminResponse.problem(503, "kafka-unavailable", e.getMessage());
        } catch (RuntimeException e) {
            return unavailable(e).orElseThrow(() -> e);
        }
    }

    /** The group's dead letters, each with its resolution. */
    protected abstract AdminResponse list();

    /** Retries the dead letter of the record at {@code partition} and {@code offset} of the worker's topic. */
    protected abstract AdminResponse retry(int partition, long offset);

    /** Marks the dead letter of the record at {@code partition} and {@code offset} as skipped. */
    protected abstract AdminResponse skip(int partition, long offset);

    /**
     * The answer to a failure of a store the worker's decisions live in (503 with its problem type), or empty when
     * {@code failure} is no such failure and the request failed for another reason.
     */
    protected Optional<AdminResponse> unavailable(RuntimeException failure) {
        return Optional.empty();
    }

    /**
     * What every listing says about a dead letter, in this order: source partition and offset, the source record's
     * aggregate and event type headers, the error and the attempts; the worker adds its resolution after them.
     */
    protected static Map<String, Object> describe(DeadLetter letter) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("partition", letter.source().partition());
        entry.put("offset", letter.source().offset());
        entry.put("aggregateType", header(letter, Topics.HEADER_AGGREGATE_TYPE));
        entry.put("eventType", header(letter, Topics.HEADER_EVENT_TYPE));
        entry.put("errorClass", letter.errorClass());
        entry.put("errorMessage", letter.errorMessage());
        entry.put("attempts", letter.attempts());
        return entry;
    }

    /** The body of a listing: the group, the topic and its dead letters. */
    protected static Map<String, Object> listing(String group, String topic, List<Map<String, Object>> letters) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("group", group);
        body.put("topic", topic);
        body.put("deadLetters", letters);
        return body;
    }

    private static String header(DeadLetter letter, String name) {
        byte[] value = letter.sourceHeader(name);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static AdminResponse notAllowed(String method, String path) {
        return AdminResponse.problem(405, "method-not-allowed", method + " is not allowed on " + path);
    }
}
