package io.polyglot.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.command.intake.ValidCommands;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The generator of the fuzz run: hostile requests to the command API, every one of them refused by a service that
 * keeps its contract, drawn deterministically from a seed.
 *
 * <p>Each request is one {@link Kind}. A generated command always starts as a valid {@code RecordActivity} and is
 * then broken in the way its kind names, so that no request is a command the service may accept: a broken body is
 * cut before its end or gets tokens JSON does not have, a wrong type replaces a field's value with one of another
 * JSON type (never {@code null}, which optional fields allow), text that is not UTF-8 or escapes half a surrogate
 * pair, a name that the rules allow even though it looks like
 * traversal ({@code %2e%2e%2f}) travels with an aggregate type that they do not. Every choice comes from one
 * {@link Random} seeded once, in a fixed order, so a seed always gives the same requests, and a failure names the
 * seed, the kind and the request.
 */
final class HostileRequests {

    /** What a hostile request tries. */
    enum Kind {
        BROKEN_JSON,
        DEEP_NESTING,
        HUGE_NUMBER,
        WRONG_TYPE,
        INVALID_UTF8_BODY,
        TRAVERSAL_IN_BODY,
        PAYLOAD_OVER_COMMAND_MAX,
        BODY_OVER_LIMIT,
        OVERSIZED_HEADERS,
        MALFORMED_FRAMING,
        UNKNOWN_ROUTE,
        UNKNOWN_METHOD,
        TRAVERSAL_IN_PATH,
        WRONG_MEDIA_TYPE,
        BROKEN_BATCH,
        BATCH_OVER_LINES,
        UNFINISHED_BODY,
        TRICKLING_BODY,
        TRICKLING_HEADERS,
        MISSING_TOKEN,
        WRONG_TOKEN,
        GARBLED_AUTHORIZATION;

        /** Kinds that wait for a timeout, sent side by side rather than one after another. */
        boolean isSlow() {
            return this == UNFINISHED_BODY || this == TRICKLING_BODY || this == TRICKLING_HEADERS;
        }

        /**
         * Kinds whose requests carry the authorization they probe (none, a wrong token, a garbled header), to which the
         * fuzz run must not add the service's token; every other request gets it, so its hostile part reaches the
         * parsers behind the token check.
         */
        boolean bringsItsOwnAuthorization() {
            return this == MISSING_TOKEN || this == WRONG_TOKEN || this == GARBLED_AUTHORIZATION;
        }
    }

    /** How a request travels. */
    sealed interface Send permits Client, Raw {}

    /** Through {@code java.net.http.HttpClient}: a well-formed request. */
    record Client(String method, String path, Map<String, String> headers, byte[] body) implements Send {}

    /** Over a plain socket: {@code head} then {@code body} as given, whole, stalled or one byte at a time. */
    record Raw(byte[] head, byte[] body, Pace pace) implements Send {}

    /** How a raw request's body is sent. */
    enum Pace {
        /** All at once; the answer follows. */
        WHOLE,
        /** What is given, then nothing more although more was announced. */
        STALLED,
        /** One byte of the body every tick until the server gives up. */
        TRICKLE,
        /** One byte of the head every tick, so the headers never end before the server gives up. */
        TRICKLE_HEAD
    }

    /**
     * What the answer must be: one of {@code statuses}, a problem of one of {@code types} (every known type when
     * empty), naming {@code pointer} among its errors when present; {@code batchLines} results when the kind is a
     * batch answered line by line; {@code mayBeCut} when closing the connection without an answer is also right.
     */
    record Expect(
            Set<Integer> statuses, Set<String> types, Optional<String> pointer, int batchLines, boolean mayBeCut) {

        static Expect problem(int status, String... types) {
            return new Expect(Set.of(status), Set.of(types), Optional.empty(), 0, false);
        }

        static Expect problems(Set<Integer> statuses, String... types) {
            return new Expect(statuses, Set.of(types), Optional.empty(), 0, false);
        }

        Expect naming(String pointer) {
            return new Expect(statuses, types, Optional.of(pointer), batchLines, mayBeCut);
        }
    }

    /** One generated request, numbered in the order of generation. */
    record HostileRequest(int index, Kind kind, String description, Send send, Expect expect) {}

    /** Bytes that are not UTF-8: a stray byte, an unfinished sequence, overlong encodings, a surrogate, 5 bytes. */
    private static final List<byte[]> INVALID_UTF8 = List.of(
            new byte[] {(byte) 0xFF},
            new byte[] {(byte) 0x80},
            new byte[] {(byte) 0xC3, 0x28},
            new byte[] {(byte) 0xE2, (byte) 0x82},
            new byte[] {(byte) 0xC0, (byte) 0xAE},
            new byte[] {(byte) 0xC0, (byte) 0xAF},
            new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80});

    /** Names the rules refuse for an id: separators, dot segments, control characters, blank, empty, too long. */
    private static final List<String> REFUSED_IDS = List.of(
            "../",
            "../../etc/passwd",
            "..\\..\\windows\\win.ini",
            "a/../b",
            "/",
            "\\",
            ".",
            "..",
            "x\u0000y",
            "\u0000",
            "line\nbreak",
            "tab\there",
            "\u007f",
            " ",
            "",
            "a".repeat(257),
            "..%2f/",
            "\u00c0\u00ae/");

    /** Names the rules allow for an id although they look like traversal once decoded elsewhere. */
    private static final List<String> ODD_BUT_ALLOWED_IDS = List.of(
            "%2e%2e%2f",
            "..%2f..%2f",
            "%2e%2e%5c",
            "%00",
            "\u00c0\u00ae\u00c0\u00ae",
            "\u2215etc\u2215passwd",
            "...",
            "..;",
            "%252e%252e%252f",
            "\uff0e\uff0e\uff0f");

    /** Path segments for the GET routes, as they go on the wire (percent-encoded or raw). */
    private static final List<String> PATH_SEGMENTS = List.of(
            "..%2f..%2fetc%2fpasswd",
            "%2e%2e%2f",
            "%2e%2e",
            "%2e",
            "..",
            "../..",
            "..%5c..%5c",
            "%5c",
            "%00",
            "a%00b",
            "%c0%ae%c0%ae%2f",
            "%c0%af",
            "%e0%80%af",
            "%ff",
            "..;",
            "%252e%252e%252f",
            "\\..\\",
            "%0d%0aX-Injected:%20yes",
            "%",
            "%zz",
            "a".repeat(300));

    private static final List<String> ROUTES_GET = List.of("/v1/commands/cmd-1", "/v1/aggregates/LoanApplication/1");
    private static final List<String> KNOWN_ROUTES = List.of(
            "/v1/commands",
            "/v1/commands:batch",
            "/v1/commands/cmd-1",
            "/v1/aggregates/LoanApplication/1",
            "/health/live",
            "/health/ready",
            "/metrics",
            "/openapi.json");

    /** Routes the token guards, each as a method, a path and a body a valid caller could send. */
    private static final List<String> GUARDED = List.of(
            "POST /v1/commands",
            "POST /v1/commands:batch",
            "GET /v1/commands/cmd-1",
            "GET /v1/aggregates/LoanApplication/1",
            "GET /openapi.json",
            "PUT /v1/commands",
            "GET /v1/unknown");

    private final Random random;
    private final Limits limits;
    private final String token;
    private final List<HostileRequest> made = new ArrayList<>();

    /** The service's limits the generator sizes its requests by. */
    record Limits(int commandMaxBytes, int requestMaxBytes, int batchMaxBytes, int batchMaxLines, int headerMaxBytes) {}

    /** A generator drawing from {@code seed}, sizing by {@code limits}, probing around the service's {@code token}. */
    HostileRequests(long seed, Limits limits, String token) {
        this.random = new Random(seed);
        this.limits = limits;
        this.token = token;
    }

    /** The next request of {@code kind}. */
    HostileRequest next(Kind kind) {
        HostileRequest request = switch (kind) {
            case BROKEN_JSON -> brokenJson();
            case DEEP_NESTING -> deepNesting();
            case HUGE_NUMBER -> hugeNumber();
            case WRONG_TYPE -> wrongType();
            case INVALID_UTF8_BODY -> invalidUtf8();
            case TRAVERSAL_IN_BODY -> traversalInBody();
            case PAYLOAD_OVER_COMMAND_MAX -> payloadOverCommandMax();
            case BODY_OVER_LIMIT -> bodyOverLimit();
            case OVERSIZED_HEADERS -> oversizedHeaders();
            case MALFORMED_FRAMING -> malformedFraming();
            case UNKNOWN_ROUTE -> unknownRoute();
            case UNKNOWN_METHOD -> unknownMethod();
            case TRAVERSAL_IN_PATH -> traversalInPath();
            case WRONG_MEDIA_TYPE -> wrongMediaType();
            case BROKEN_BATCH -> brokenBatch();
            case BATCH_OVER_LINES -> batchOverLines();
            case UNFINISHED_BODY -> unfinishedBody();
            case TRICKLING_BODY -> tricklingBody();
            case TRICKLING_HEADERS -> tricklingHeaders();
            case MISSING_TOKEN -> missingToken();
            case WRONG_TOKEN -> wrongToken();
            case GARBLED_AUTHORIZATION -> garbledAuthorization();
        };
        made.add(request);
        return request;
    }

    /** A request of a kind drawn evenly from {@code kinds}. */
    HostileRequest nextOf(List<Kind> kinds) {
        return next(kinds.get(random.nextInt(kinds.size())));
    }

    private HostileRequest request(Kind kind, String description, Send send, Expect expect) {
        return new HostileRequest(made.size(), kind, description, send, expect);
    }

    private HostileRequest postJson(Kind kind, String description, byte[] body, Expect expect) {
        return request(kind, description, new Client("POST", "/v1/commands", json(), body), expect);
    }

    private static Map<String, String> json() {
        return Map.of("Content-Type", "application/json");
    }

    private ObjectNode command() {
        return ValidCommands.recordActivity("fz-" + random.nextInt(1_000_000), "agg-" + random.nextInt(1_000));
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    private HostileRequest brokenJson() {
        byte[] whole = ValidCommands.bytes(command());
        String text = new String(whole, StandardCharsets.UTF_8);
        int variant = random.nextInt(7);
        String body;
        String how;
        switch (variant) {
            case 0 -> {
                int cut = random.nextInt(whole.length - 1);
                body = text.substring(0, cut);
                how = "cut after " + cut + " bytes";
            }
            case 1 -> {
                String garbage = pick(List.of("}", "]", ",", "x", "{}", "\"a\"", "null", "{\"commandId\":1}"));
                body = text + garbage;
                how = "trailing " + garbage;
            }
            case 2 -> {
                body = "{\"commandId\":\"dup\"," + text.substring(1);
                how = "a duplicate key";
            }
            case 3 -> {
                String token = pick(List.of("NaN", "'single'", "undefined", "tru", "nul", "Infinity", "0x1F", "+1"));
                body = text.replaceFirst("\"A_SUBMITTED\"", token);
                how = "the token " + token;
            }
            case 4 -> {
                body = "{/* comment */" + text.substring(1);
                how = "a comment";
            }
            case 5 -> {
                body = text.replace("User_1", "User\u0001\u0002");
                how = "raw control characters in a string";
            }
            default -> {
                // Printable garbage that may by chance be a JSON value (a number): that is not a command either.
                StringBuilder garbage = new StringBuilder();
                int length = 1 + random.nextInt(200);
                for (int i = 0; i < length; i++) {
                    garbage.append((char) (0x21 + random.nextInt(0x5e)));
                }
                body = garbage.toString();
                how = "printable garbage";
            }
        }
        Expect expect = variant == 6
                ? Expect.problem(400, "malformed-json", "invalid-command")
                : Expect.problem(400, "malformed-json");
        return postJson(Kind.BROKEN_JSON, how + ": " + body, body.getBytes(StandardCharsets.UTF_8), expect);
    }

    private HostileRequest deepNesting() {
        int depth = pick(List.of(33, 64, 500, 2_000, 10_000));
        int form = random.nextInt(4);
        String body = switch (form) {
            case 0 -> "[".repeat(depth) + "]".repeat(depth);
            case 1 -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
            case 2 -> "[".repeat(depth);
            default -> {
                // The nesting sits inside an otherwise valid command's payload attributes.
                String text = ValidCommands.JSON.valueToTree(command()).toString();
                yield text.replace(
                        "\"amount\":\"20000\"", "\"amount\":" + "[".repeat(depth) + "\"x\"" + "]".repeat(depth));
            }
        };
        return postJson(
                Kind.DEEP_NESTING,
                "depth " + depth + " in form " + form,
                body.getBytes(StandardCharsets.UTF_8),
                Expect.problem(400, "malformed-json"));
    }

    private HostileRequest hugeNumber() {
        String number;
        String type;
        switch (random.nextInt(4)) {
            case 0 -> {
                // Longer than any number a command has: refused while it is parsed.
                number = "9".repeat(65 + random.nextInt(5_000));
                type = "malformed-json";
            }
            case 1 -> {
                number = pick(List.of("01", "0x10", "+1", ".5", "1.", "1e", "--1", "1e+-2"));
                type = "malformed-json";
            }
            case 2 -> {
                number = pick(List.of(
                        "9223372036854775808",
                        "-9223372036854775809",
                        "1" + "0".repeat(40),
                        "1e999999",
                        "-1e999999",
                        "1.5",
                        "1e2",
                        "0.0",
                        "-1",
                        "4.9e-324"));
                type = "invalid-command";
            }
            default -> {
                number = "1" + "0".repeat(random.nextInt(60));
                type = "invalid-command";
                ObjectNode command = command();
                // A number where the payload only has text: its attributes are strings.
                String text = command.toString().replace("\"20000\"", number);
                return postJson(
                        Kind.HUGE_NUMBER,
                        "attribute " + number,
                        text.getBytes(StandardCharsets.UTF_8),
                        Expect.problem(400, type).naming("/payload/attributes/amount"));
            }
        }
        String text = command().toString();
        String body = "{\"expectedVersion\":" + number + "," + text.substring(1);
        Expect expect = type.equals("invalid-command")
                ? Expect.problem(400, type).naming("/expectedVersion")
                : Expect.problem(400, type);
        return postJson(
                Kind.HUGE_NUMBER,
                "expectedVersion " + shortened(number),
                body.getBytes(StandardCharsets.UTF_8),
                expect);
    }

    private HostileRequest wrongType() {
        ObjectNode command = command();
        ObjectNode payload = (ObjectNode) command.get("payload");
        int variant = random.nextInt(5);
        if (variant == 0) {
            String body = pick(List.of("[]", "\"command\"", "1", "null", "true", "[" + command + "]"));
            return postJson(
                    Kind.WRONG_TYPE,
                    "top level " + shortened(body),
                    body.getBytes(StandardCharsets.UTF_8),
                    Expect.problem(400, "invalid-command"));
        }
        if (variant == 1) {
            String field = pick(List.of("commandid", "extra", "payload2", "", "aggregate_type"));
            command.put(field, "x");
            return postJson(
                    Kind.WRONG_TYPE,
                    "unknown field '" + field + "'",
                    ValidCommands.bytes(command),
                    Expect.problem(400, "invalid-command"));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String text :
                List.of("commandId", "aggregateType", "aggregateId", "type", "correlationId", "causationId")) {
            fields.put("/" + text, "text");
        }
        fields.put("/expectedVersion", "number");
        fields.put("/payload", "object");
        for (String text : List.of("activity", "lifecycle", "resource", "occurredAt")) {
            fields.put("/payload/" + text, "text");
        }
        fields.put("/payload/attributes", "object");
        fields.put("/payload/attributes/amount", "text");
        List<String> pointers = new ArrayList<>(fields.keySet());
        String pointer = pick(pointers);
        JsonNode value = wrongValue(fields.get(pointer));
        ObjectNode parent = pointer.startsWith("/payload/attributes/")
                ? (ObjectNode) payload.get("attributes")
                : pointer.startsWith("/payload/") ? payload : command;
        parent.set(pointer.substring(pointer.lastIndexOf('/') + 1), value);
        return postJson(
                Kind.WRONG_TYPE,
                pointer + " = " + value,
                ValidCommands.bytes(command),
                Expect.problem(400, "invalid-command").naming(pointer));
    }

    private JsonNode wrongValue(String expected) {
        ArrayNode array = ValidCommands.JSON.createArrayNode().add("x");
        ObjectNode object = ValidCommands.JSON.createObjectNode().put("a", 1);
        List<JsonNode> values = new ArrayList<>(List.of(
                ValidCommands.JSON.getNodeFactory().numberNode(1),
                ValidCommands.JSON.getNodeFactory().numberNode(-1.5),
                ValidCommands.JSON.getNodeFactory().booleanNode(true),
                array,
                object,
                ValidCommands.JSON.createArrayNode()));
        if (!expected.equals("text")) {
            values.add(ValidCommands.JSON.getNodeFactory().textNode("1"));
        }
        if (expected.equals("number")) {
            values.remove(0);
        }
        if (expected.equals("object")) {
            values.remove(object);
        }
        return pick(values);
    }

    private HostileRequest invalidUtf8() {
        String where = pick(List.of("A_SUBMITTED", "LoanApplication", "commandId", "User_1", "agg-"));
        if (random.nextInt(5) == 0) {
            // Valid JSON and valid UTF-8, but the escape spells half a surrogate pair: no Unicode text.
            String escape = pick(List.of("\\ud800", "\\udfff", "\\udc00\\ud800"));
            String text = command().toString();
            int at = text.indexOf(where) + 1;
            String body = text.substring(0, at) + escape + text.substring(at);
            return postJson(
                    Kind.INVALID_UTF8_BODY,
                    "the escape " + escape + " inside " + where,
                    body.getBytes(StandardCharsets.UTF_8),
                    // The parser itself refuses a broken pair in a field name; in a value it is the intake's check.
                    where.equals("commandId")
                            ? Expect.problem(400, "malformed-json")
                            : Expect.problem(400, "invalid-command"));
        }
        byte[] bad = pick(INVALID_UTF8);
        byte[] whole = ValidCommands.bytes(command());
        byte[] marker = where.getBytes(StandardCharsets.UTF_8);
        int at = indexOf(whole, marker);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(whole, 0, at + 1);
        body.writeBytes(bad);
        body.write(whole, at + 1, whole.length - at - 1);
        return postJson(
                Kind.INVALID_UTF8_BODY,
                "bytes " + hex(bad) + " inside " + where,
                body.toByteArray(),
                Expect.problem(400, "malformed-json"));
    }

    private HostileRequest traversalInBody() {
        ObjectNode command = command();
        String field = pick(List.of("aggregateType", "aggregateId", "commandId", "correlationId", "causationId"));
        boolean refused = field.equals("aggregateType") || random.nextBoolean();
        String name = refused ? pick(REFUSED_IDS) : pick(ODD_BUT_ALLOWED_IDS);
        if (field.equals("aggregateType") && random.nextBoolean()) {
            name = pick(ODD_BUT_ALLOWED_IDS);
        }
        command.put(field, name);
        String pointer = "/" + field;
        if (!refused) {
            // The name is allowed as an id: the command is refused for its aggregate type, which the rules forbid.
            command.put("aggregateType", "../" + pick(List.of("Loan", "etc", "")));
            pointer = "/aggregateType";
        }
        return postJson(
                Kind.TRAVERSAL_IN_BODY,
                field + " = " + escaped(name),
                ValidCommands.bytes(command),
                Expect.problem(400, "invalid-command").naming(pointer));
    }

    private HostileRequest payloadOverCommandMax() {
        ObjectNode command = command();
        int size = limits.commandMaxBytes()
                + 1
                + random.nextInt(limits.requestMaxBytes() - limits.commandMaxBytes() - 1_024);
        ((ObjectNode) command.get("payload").get("attributes")).put("filler", "p".repeat(size));
        return postJson(
                Kind.PAYLOAD_OVER_COMMAND_MAX,
                "an attribute of " + size + " characters",
                ValidCommands.bytes(command),
                Expect.problem(413, "payload-too-large"));
    }

    private HostileRequest bodyOverLimit() {
        boolean batch = random.nextBoolean();
        String path = batch ? "/v1/commands:batch" : "/v1/commands";
        String type = batch ? "application/x-ndjson" : "application/json";
        int limit = batch ? limits.batchMaxBytes() : limits.requestMaxBytes();
        if (random.nextBoolean()) {
            long declared = limit + 1L + (long) (random.nextDouble() * 1e12);
            String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + type
                    + "\r\nContent-Length: " + declared + "\r\n\r\n";
            return request(
                    Kind.BODY_OVER_LIMIT,
                    "Content-Length " + declared + " to " + path,
                    new Raw(ascii(head), new byte[0], Pace.WHOLE),
                    Expect.problem(413, "payload-too-large"));
        }
        // Chunked, so the size is only known once the limit is passed: exactly one byte past it is sent.
        int size = limit + 1;
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + type
                + "\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(size) + "\r\n";
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) '{');
        return request(
                Kind.BODY_OVER_LIMIT,
                "a chunked body of " + size + " bytes to " + path,
                new Raw(ascii(head), body, Pace.WHOLE),
                Expect.problem(413, "payload-too-large"));
    }

    private HostileRequest oversizedHeaders() {
        int over = limits.headerMaxBytes() + 1 + random.nextInt(limits.headerMaxBytes());
        String route = pick(KNOWN_ROUTES);
        String head;
        String how;
        Expect expect = Expect.problem(431, "headers-too-large");
        switch (random.nextInt(3)) {
            case 0 -> {
                head = "GET " + route + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + "h".repeat(over) + "\r\n\r\n";
                how = "one header of " + over + " bytes";
            }
            case 1 -> {
                StringBuilder many = new StringBuilder();
                for (int i = 0; many.length() < over; i++) {
                    many.append("X-Many-")
                            .append(i)
                            .append(": ")
                            .append("m".repeat(40))
                            .append("\r\n");
                }
                head = "GET " + route + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + "\r\n";
                how = "headers of " + over + " bytes in all";
            }
            default -> {
                head = "GET " + route + "?" + "q".repeat(over) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
                how = "a request line of " + over + " bytes";
                expect = Expect.problems(Set.of(414, 431), "headers-too-large", "bad-request");
            }
        }
        return request(Kind.OVERSIZED_HEADERS, how, new Raw(ascii(head), new byte[0], Pace.WHOLE), expect);
    }

    private HostileRequest malformedFraming() {
        String post = RawHttp.POST_COMMAND;
        List<String> requests = List.of(
                "GARBAGE\r\n\r\n",
                "GET\r\n\r\n",
                "GET /v1/commands/fz-none HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
                "GET /v1/commands/fz-none HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\n\r\n",
                "GET /v1/commands/fz-none HTTP/1.1\r\nHost: 127.0.0.1\r\n: empty name\r\n\r\n",
                "GET /v1/commands/fz-none HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Nul: a\u0000b\r\n\r\n",
                "GET /v1/commands/fz-none HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Fold: a\r\n folded\r\n\r\n",
                "GET /v1/commands/fz-none HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.2\r\n\r\n",
                "GET  /v1/commands/fz-none  HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                "GET v1/commands/fz-none HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n{}",
                post + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                post + "Content-Length: -1\r\n\r\n",
                post + "Content-Length: abc\r\n\r\n",
                post + "Content-Length: 99999999999999999999999\r\n\r\n",
                post + "Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n",
                post + "Transfer-Encoding: chunked\r\n\r\n-5\r\n{}\r\n0\r\n\r\n",
                post + "Transfer-Encoding: gzip\r\n\r\n",
                post + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
                post + "Expect: 999-nothing\r\nContent-Length: 2\r\n\r\n{}");
        int which = random.nextInt(requests.size() + 1);
        byte[] head;
        String how;
        if (which == requests.size()) {
            // Random bytes, ended as a request head would be so the server has all it will get.
            byte[] garbage = new byte[1 + random.nextInt(200)];
            random.nextBytes(garbage);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(garbage);
            out.writeBytes(ascii("\r\n\r\n"));
            head = out.toByteArray();
            how = "random bytes " + hex(garbage);
        } else {
            head = requests.get(which).getBytes(StandardCharsets.ISO_8859_1);
            how = escaped(requests.get(which));
        }
        // Framing the server cannot read is answered 400 and never reaches a route; a request it can read goes on to
        // its route, which refuses it for what it is (an empty body, a too-large one, an unsupported expectation).
        Expect expect =
                new Expect(Set.of(400, 404, 405, 411, 413, 415, 417, 431), Set.of(), Optional.empty(), 0, false);
        return request(Kind.MALFORMED_FRAMING, how, new Raw(head, new byte[0], Pace.WHOLE), expect);
    }

    private HostileRequest unknownRoute() {
        String path = pick(List.of(
                "/",
                "/v1",
                "/v2/commands",
                "/v1/command",
                "/v1/commands:batchx",
                "/v1/commands:other",
                "/admin",
                "/v1/aggregates",
                "/v1/aggregates/LoanApplication",
                "/v1/aggregates/LoanApplication/1/extra",
                "/.env",
                "/health",
                "/health/other",
                "/metrics/x",
                "/openapi.yaml",
                "/" + randomSegment() + "/" + randomSegment()));
        String method = random.nextBoolean() ? "GET" : "POST";
        return request(
                Kind.UNKNOWN_ROUTE,
                method + " " + path,
                new Client(method, path, json(), ValidCommands.bytes(command())),
                Expect.problems(Set.of(400, 404, 405), "not-found", "method-not-allowed", "bad-request"));
    }

    private String randomSegment() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789._~-";
        StringBuilder segment = new StringBuilder();
        int length = 1 + random.nextInt(20);
        for (int i = 0; i < length; i++) {
            segment.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return segment.toString();
    }

    private HostileRequest unknownMethod() {
        String route = pick(KNOWN_ROUTES);
        boolean isPost = route.equals("/v1/commands") || route.equals("/v1/commands:batch");
        List<String> methods = new ArrayList<>(List.of("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"));
        methods.add(isPost ? "GET" : "POST");
        String method = random.nextInt(8) == 0 ? randomToken() : pick(methods);
        return request(
                Kind.UNKNOWN_METHOD,
                method + " " + route,
                new Client(method, route, json(), ValidCommands.bytes(command())),
                Expect.problem(405, "method-not-allowed"));
    }

    private String randomToken() {
        StringBuilder token = new StringBuilder();
        int length = 3 + random.nextInt(8);
        for (int i = 0; i < length; i++) {
            token.append((char) ('A' + random.nextInt(26)));
        }
        return token.toString();
    }

    private HostileRequest traversalInPath() {
        String segment = pick(PATH_SEGMENTS);
        String path = switch (random.nextInt(3)) {
            case 0 -> "/v1/commands/" + segment;
            case 1 -> "/v1/aggregates/" + segment + "/1";
            default -> "/v1/aggregates/LoanApplication/" + segment;
        };
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.writeBytes(ascii("GET "));
        if (random.nextInt(5) == 0) {
            // Raw bytes that are not UTF-8 in the path itself.
            head.writeBytes(ascii(path));
            head.writeBytes(pick(INVALID_UTF8));
        } else {
            head.writeBytes(ascii(path));
        }
        head.writeBytes(ascii(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        return request(
                Kind.TRAVERSAL_IN_PATH,
                "GET " + escaped(path),
                new Raw(head.toByteArray(), new byte[0], Pace.WHOLE),
                Expect.problems(Set.of(400, 404), "not-found", "bad-request"));
    }

    private HostileRequest wrongMediaType() {
        boolean batch = random.nextBoolean();
        String path = batch ? "/v1/commands:batch" : "/v1/commands";
        List<String> types = new ArrayList<>(List.of(
                "text/plain",
                "application/xml",
                "application/jsonx",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded",
                "application/json-patch+json",
                "%%%",
                "application/octet-stream"));
        types.add(batch ? "application/json" : "application/x-ndjson");
        // The route's own media type under a value it cannot read, or a charset in a notation it does not decode.
        String own = batch ? "application/x-ndjson" : "application/json";
        types.add(own + "; charset=\"utf-8\"latin1");
        types.add(own + "; charset*=utf-8''x");
        Map<String, String> headers = new LinkedHashMap<>();
        String type = random.nextInt(10) == 0 ? null : pick(types);
        if (type != null) {
            headers.put("Content-Type", type);
        }
        // The body is a valid command: only its media type is wrong, so anything but 415 would store it.
        return request(
                Kind.WRONG_MEDIA_TYPE,
                "POST " + path + " as " + type,
                new Client("POST", path, headers, ValidCommands.bytes(command())),
                Expect.problem(415, "unsupported-media-type"));
    }

    private HostileRequest brokenBatch() {
        int lines = 1 + random.nextInt(20);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int counted = 0;
        for (int i = 0; i < lines; i++) {
            if (random.nextInt(8) == 0) {
                body.writeBytes(ascii("   \n"));
                continue;
            }
            HostileRequest line = switch (random.nextInt(4)) {
                case 0 -> brokenJsonLine();
                case 1 -> wrongType();
                case 2 -> invalidUtf8();
                default -> traversalInBody();
            };
            byte[] bytes = ((Client) line.send()).body();
            body.writeBytes(bytes);
            body.writeBytes(ascii(random.nextBoolean() ? "\n" : "\r\n"));
            counted++;
        }
        Expect expect = new Expect(Set.of(200), Set.of(), Optional.empty(), counted, false);
        return request(
                Kind.BROKEN_BATCH,
                lines + " broken or blank lines: " + shortened(body.toString(StandardCharsets.UTF_8)),
                new Client(
                        "POST",
                        "/v1/commands:batch",
                        Map.of("Content-Type", "application/x-ndjson"),
                        body.toByteArray()),
                expect);
    }

    /** A broken command that fits on one line: JSON cut short or with an impossible token, never a line break. */
    private HostileRequest brokenJsonLine() {
        String text = command().toString();
        // At least one character is kept: an empty line is blank, and a batch skips blank lines.
        String body = random.nextBoolean() ? text.substring(0, 1 + random.nextInt(text.length() - 2)) : text + "}";
        return postJson(
                Kind.BROKEN_JSON, body, body.getBytes(StandardCharsets.UTF_8), Expect.problem(400, "malformed-json"));
    }

    private HostileRequest batchOverLines() {
        int lines = limits.batchMaxLines() + 1 + random.nextInt(limits.batchMaxLines());
        String line = command().toString().replace("LoanApplication", "../Loan") + "\n";
        String body = line.repeat(lines);
        return request(
                Kind.BATCH_OVER_LINES,
                lines + " lines",
                new Client("POST", "/v1/commands:batch", Map.of("Content-Type", "application/x-ndjson"), ascii(body)),
                Expect.problem(413, "payload-too-large"));
    }

    private HostileRequest unfinishedBody() {
        byte[] whole = ValidCommands.bytes(command());
        int sent = random.nextInt(whole.length);
        boolean chunked = random.nextBoolean();
        String head = RawHttp.POST_COMMAND
                + (chunked
                        ? "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(whole.length) + "\r\n"
                        : "Content-Length: " + whole.length + "\r\n\r\n");
        byte[] part = java.util.Arrays.copyOf(whole, sent);
        return request(
                Kind.UNFINISHED_BODY,
                (chunked ? "chunked" : "Content-Length") + " body of " + whole.length + " bytes, " + sent + " sent",
                new Raw(ascii(head), part, Pace.STALLED),
                new Expect(Set.of(408), Set.of("request-timeout"), Optional.empty(), 0, true));
    }

    private HostileRequest tricklingBody() {
        byte[] whole = ValidCommands.bytes(command());
        String head = RawHttp.POST_COMMAND + "Content-Length: " + whole.length + "\r\n\r\n";
        return request(
                Kind.TRICKLING_BODY,
                "a body of " + whole.length + " bytes sent one byte at a time",
                new Raw(ascii(head), whole, Pace.TRICKLE),
                new Expect(Set.of(408), Set.of("request-timeout"), Optional.empty(), 0, true));
    }

    private HostileRequest tricklingHeaders() {
        byte[] whole = ValidCommands.bytes(command());
        String head = RawHttp.POST_COMMAND + "X-Trace: " + randomSegment() + "\r\nContent-Length: " + whole.length
                + "\r\n\r\n";
        return request(
                Kind.TRICKLING_HEADERS,
                "headers of " + head.length() + " bytes sent one byte at a time",
                new Raw(ascii(head), whole, Pace.TRICKLE_HEAD),
                new Expect(Set.of(408), Set.of("request-timeout"), Optional.empty(), 0, true));
    }

    /** A request to a guarded route with {@code authorization} (none when null), answered 401 whatever it holds. */
    private HostileRequest probe(Kind kind, String how, String authorization) {
        String[] route = pick(GUARDED).split(" ", 2);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", route[1].endsWith(":batch") ? "application/x-ndjson" : "application/json");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        byte[] body = route[0].equals("GET") ? new byte[0] : ValidCommands.bytes(command());
        return request(
                kind,
                route[0] + " " + route[1] + " " + how,
                new Client(route[0], route[1], headers, body),
                Expect.problem(401, "unauthorized"));
    }

    private HostileRequest missingToken() {
        return probe(Kind.MISSING_TOKEN, "without Authorization", null);
    }

    private HostileRequest wrongToken() {
        int at = random.nextInt(token.length());
        char changed = token.charAt(at) == 'A' ? 'B' : 'A';
        String wrong = switch (random.nextInt(6)) {
            case 0 -> token.substring(0, at) + changed + token.substring(at + 1);
            case 1 -> token.substring(0, token.length() - 1);
            case 2 -> token + "A";
            case 3 ->
                token.toUpperCase(java.util.Locale.ROOT).equals(token)
                        ? token.toLowerCase(java.util.Locale.ROOT)
                        : token.toUpperCase(java.util.Locale.ROOT);
            case 4 -> randomToken() + randomToken() + randomToken();
            default -> token.substring(token.length() / 2) + token.substring(0, token.length() / 2);
        };
        return probe(Kind.WRONG_TOKEN, "with a wrong token", "Bearer " + wrong);
    }

    private HostileRequest garbledAuthorization() {
        int variant = random.nextInt(10);
        if (variant >= 7) {
            // what a well-behaved client cannot send: a tab for the space, bytes that are not ASCII, two headers
            String[] values = switch (variant) {
                case 7 -> new String[] {"Bearer\t" + token};
                case 8 -> new String[] {"Bearer " + token + "\u00e9"};
                default -> new String[] {"Bearer " + token, "Bearer " + token};
            };
            StringBuilder head = new StringBuilder("GET /v1/commands/cmd-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (String value : values) {
                head.append("Authorization: ").append(value).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            String how = switch (variant) {
                case 7 -> "a tab between scheme and token";
                case 8 -> "a byte that is not ASCII after the token";
                default -> "the right token in two Authorization headers";
            };
            byte[] bytes = head.toString().getBytes(StandardCharsets.UTF_8);
            return request(
                    Kind.GARBLED_AUTHORIZATION,
                    how,
                    new Raw(bytes, new byte[0], Pace.WHOLE),
                    Expect.problems(Set.of(400, 401), "unauthorized", "bad-request"));
        }
        String value = switch (variant) {
            case 0 ->
                "Basic "
                        + java.util.Base64.getEncoder()
                                .encodeToString(("polyglot:" + token).getBytes(StandardCharsets.UTF_8));
            case 1 -> "Token " + token;
            case 2 -> "Bearer";
            case 3 -> token;
            case 4 -> "Bearer " + token + " " + token;
            case 5 -> "Bearer " + token + ",";
            default -> "Bearer=" + token;
        };
        return probe(Kind.GARBLED_AUTHORIZATION, "with Authorization '" + value.replace(token, "<token>") + "'", value);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("marker not found");
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 64); i++) {
            text.append(String.format("%02x", bytes[i] & 0xff));
        }
        return bytes.length > 64 ? text + "..." : text.toString();
    }

    /** {@code text} with control characters escaped and cut to a length a failure message can show. */
    static String escaped(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : shortened(text).toCharArray()) {
            out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    static String shortened(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...(" + text.length() + " chars)";
    }
}
