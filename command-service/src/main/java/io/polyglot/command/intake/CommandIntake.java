package io.polyglot.command.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Names;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns the JSON of one command into the envelopes of its events, or into the problem that refuses it.
 *
 * <p>It checks, in this order: the JSON itself, the command's own fields and names, its type, the type's payload,
 * then the size of each payload in single-object encoding. It is stateless apart from the injected clock and id
 * source, and thread-safe.
 */
public final class CommandIntake {

    /** The command type that unreadable or unknown commands are counted under. */
    public static final String UNKNOWN_TYPE = "unknown";

    private static final Set<String> FIELDS = Set.of(
            "commandId",
            "aggregateType",
            "aggregateId",
            "type",
            "expectedVersion",
            "correlationId",
            "causationId",
            "payload");

    /**
     * The deepest nesting a command may have. A command is three levels deep (the command, its payload, the
     * payload's attributes); the bound leaves room for payloads to come and keeps a hostile body from costing deep
     * recursion in parsing and hashing.
     */
    static final int MAX_NESTING_DEPTH = 32;

    /** The longest number, in characters: a version is at most 19 digits, so longer is never meant. */
    static final int MAX_NUMBER_LENGTH = 64;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Exact numbers, so that a field judges the value written: as a double, 9223372036854775806.5 is 2^63.
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private static final ThreadLocal<Utf8Check> UTF8_CHECKS = ThreadLocal.withInitial(Utf8Check::new);

    private final CommandTypes types;
    private final EventCodec codec;
    private final Clock clock;
    private final Supplier<UUID> eventIds;
    private final int commandMaxBytes;

    public CommandIntake(
            CommandTypes types, EventCodec codec, Clock clock, Supplier<UUID> eventIds, int commandMaxBytes) {
        this.types = types;
        this.codec = codec;
        this.clock = clock;
        this.eventIds = eventIds;
        this.commandMaxBytes = commandMaxBytes;
    }

    /** Reads one command from its JSON bytes. */
    public Intake read(byte[] json) {
        Optional<String> notUtf8 = notUtf8(json);
        if (notUtf8.isPresent()) {
            return malformed(notUtf8.get());
        }
        JsonNode node;
        try (JsonParser parser = new ExactNumbers(JSON.createParser(json))) {
            try {
                node = JSON.readTree(parser);
            } catch (StreamConstraintsException e) {
                String at = parser.getParsingContext().pathAsPointer().toString();
                return beyondLimits(e.getOriginalMessage() + (at.isEmpty() ? "" : " at " + at) + where(e));
            }
        } catch (JsonProcessingException e) {
            return malformed(e.getOriginalMessage() + where(e));
        } catch (IOException e) {
            return malformed(e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            return malformed("the body holds no JSON value");
        }
        if (holdsLoneSurrogate(node)) {
            FieldProblems surrogates = new FieldProblems();
            findLoneSurrogates(node, JsonPointer.empty(), surrogates);
            return invalid(Optional.empty(), UNKNOWN_TYPE, surrogates);
        }
        return read(node);
    }

    /** Whether any name or text in {@code node} holds a lone surrogate; only then are their pointers worth building. */
    private static boolean holdsLoneSurrogate(JsonNode node) {
        if (node.isTextual()) {
            return hasLoneSurrogate(node.textValue());
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (holdsLoneSurrogate(element)) {
                    return true;
                }
            }
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (hasLoneSurrogate(field.getKey()) || holdsLoneSurrogate(field.getValue())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds a problem for every name or text in {@code node} with a lone surrogate. JSON may escape one (backslash,
     * {@code u}, {@code d800}), but it is no Unicode character: encoded as UTF-8 on the way to Kafka it would turn
     * into {@code ?}, so the event would name another aggregate than the command did.
     */
    private static void findLoneSurrogates(JsonNode node, JsonPointer at, FieldProblems problems) {
        if (node.isTextual() && hasLoneSurrogate(node.textValue())) {
            problems.add(at, "holds a lone surrogate, which is not Unicode text");
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                findLoneSurrogates(node.get(i), at.appendIndex(i), problems);
            }
        }
        node.fields().forEachRemaining(field -> {
            JsonPointer child = at.appendProperty(field.getKey());
            if (hasLoneSurrogate(field.getKey())) {
                problems.add(child, "the name holds a lone surrogate, which is not Unicode text");
            }
            findLoneSurrogates(field.getValue(), child, problems);
        });
    }

    private static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Reads one command from its parsed JSON. */
    public Intake read(JsonNode node) {
        FieldProblems problems = new FieldProblems();
        Optional<JsonFields> maybeFields = JsonFields.of(node, JsonPointer.empty(), problems);
        if (maybeFields.isEmpty()) {
            return invalid(Optional.empty(), UNKNOWN_TYPE, problems);
        }
        JsonFields fields = maybeFields.get();
        fields.refuseUnknown(FIELDS);
        Optional<String> commandId = fields.requiredText("commandId").flatMap(id -> named(fields, "commandId", id));
        Optional<String> aggregateType = fields.requiredText("aggregateType")
                .flatMap(type -> checked(fields, "aggregateType", type, Names::aggregateTypeProblem));
        Optional<String> aggregateId =
                fields.requiredText("aggregateId").flatMap(id -> named(fields, "aggregateId", id));
        Optional<String> correlationId =
                fields.optionalText("correlationId").flatMap(id -> named(fields, "correlationId", id));
        Optional<String> causationId =
                fields.optionalText("causationId").flatMap(id -> named(fields, "causationId", id));
        Optional<Long> expectedVersion = fields.optionalWholeNumber("expectedVersion", 0);
        Optional<String> typeName = fields.requiredText("type");
        Optional<CommandType> type = typeName.flatMap(types::find);
        if (typeName.isPresent() && type.isEmpty()) {
            return unknownType(commandId, fields, typeName.get());
        }
        String countedAs = type.map(CommandType::name).orElse(UNKNOWN_TYPE);
        Optional<JsonFields> payload = fields.requiredObject("payload");
        List<EventDraft> drafts =
                type.isPresent() && payload.isPresent() ? type.get().events(payload.get()) : List.of();
        if (!problems.isEmpty()) {
            return invalid(commandId, countedAs, problems);
        }

        Command command = new Command(
                commandId.orElseThrow(),
                aggregateType.orElseThrow(),
                aggregateId.orElseThrow(),
                correlationId.orElse(commandId.get()),
                causationId.orElse(commandId.get()),
                expectedVersion,
                BodyHash.canonical(JSON, node, fields.canonicalForm()),
                BodyHash.asSent(JSON, node));
        return envelopes(command, countedAs, drafts);
    }

    private Intake envelopes(Command command, String countedAs, List<EventDraft> drafts) {
        Instant recordedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<EventEnvelope> events = new ArrayList<>(drafts.size());
        for (EventDraft draft : drafts) {
            ByteBuffer payload = codec.encodePayload(draft.payload());
            if (payload.remaining() > commandMaxBytes) {
                String detail = "the payload is " + payload.remaining() + " bytes in single-object encoding; at most "
                        + commandMaxBytes + " are accepted";
                Problem problem =
                        new Problem(ProblemType.PAYLOAD_TOO_LARGE, detail, List.of(new FieldError("/payload", detail)));
                return new Intake.Rejected(Optional.of(command.id()), countedAs, problem);
            }
            events.add(EventEnvelope.newBuilder()
                    .setEventId(eventIds.get().toString())
                    .setAggregateType(command.aggregateType())
                    .setAggregateId(command.aggregateId())
                    .setAggregateVersion(0L)
                    .setType(draft.type())
                    .setOccurredAt(draft.occurredAt())
                    .setRecordedAt(recordedAt)
                    .setCommandId(command.id())
                    .setCorrelationId(command.correlationId())
                    .setCausationId(command.causationId())
                    .setPayload(payload)
                    .build());
        }
        return new Intake.Accepted(
                command.id(),
                countedAs,
                command.aggregateType(),
                command.aggregateId(),
                command.expectedVersion(),
                command.bodyHash(),
                command.bodyHashAsSent(),
                events);
    }

    private static Optional<String> named(JsonFields fields, String name, String id) {
        return checked(fields, name, id, Names::idProblem);
    }

    private static Optional<String> checked(
            JsonFields fields, String name, String value, Function<String, Optional<String>> rule) {
        Optional<String> problem = rule.apply(value);
        problem.ifPresent(message -> fields.problem(name, message));
        return problem.isPresent() ? Optional.empty() : Optional.of(value);
    }

    /**
     * Where {@code bytes} stop being UTF-8, or empty when they are. The JSON parser takes overlong encodings
     * ({@code C0 AE} for a dot) for the characters they spell, which would let a name slip past the rules in a
     * disguise other readers decode differently; a strict decoder refuses them, and surrogates, first.
     */
    private static Optional<String> notUtf8(byte[] bytes) {
        Utf8Check check = UTF8_CHECKS.get();
        CharsetDecoder decoder = check.decoder.reset();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = check.chars.clear();
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return Optional.of("the bytes at offset " + in.position() + " are not UTF-8");
            }
            if (result.isUnderflow()) {
                return Optional.empty();
            }
            out.clear();
        }
    }

    /** A strict UTF-8 decoder and the characters it decodes into, kept by each thread: neither is needed after. */
    private static final class Utf8Check {
        private final CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private final CharBuffer chars = CharBuffer.allocate(4_096);
    }

    private static String where(JsonProcessingException e) {
        return e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
    }

    /**
     * A body of valid JSON that goes past a bound of the reader (nesting, a number's length or exponent): refused as
     * {@code malformed-json} like JSON that is not valid, since the client must change the body's JSON, but saying
     * which bound and where.
     */
    private static Intake beyondLimits(String reason) {
        return new Intake.Rejected(
                Optional.empty(),
                UNKNOWN_TYPE,
                Problem.of(
                        ProblemType.MALFORMED_JSON, "the body goes beyond what the service reads as JSON: " + reason));
    }

    private static Intake malformed(String reason) {
        return new Intake.Rejected(
                Optional.empty(),
                UNKNOWN_TYPE,
                Problem.of(ProblemType.MALFORMED_JSON, "the body is not valid JSON: " + reason));
    }

    private static Intake invalid(Optional<String> commandId, String countedAs, FieldProblems problems) {
        List<FieldError> errors = problems.list();
        String detail = errors.size() == 1
                ? "the command has a problem at " + pointerText(errors.get(0))
                : "the command has " + errors.size() + " problems";
        return new Intake.Rejected(commandId, countedAs, new Problem(ProblemType.INVALID_COMMAND, detail, errors));
    }

    private Intake unknownType(Optional<String> commandId, JsonFields fields, String typeName) {
        String message = "must be one of " + String.join(", ", types.names());
        Problem problem = new Problem(
                ProblemType.UNKNOWN_COMMAND_TYPE,
                "no command type is named '" + shortened(typeName) + "'",
                List.of(new FieldError(fields.pointer("type").toString(), message)));
        return new Intake.Rejected(commandId, UNKNOWN_TYPE, problem);
    }

    private static String shortened(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    private static String pointerText(FieldError error) {
        return error.pointer().isEmpty() ? "the top level" : error.pointer();
    }

    /** The command's own fields, once they are known to be valid. */
    private record Command(
            String id,
            String aggregateType,
            String aggregateId,
            String correlationId,
            String causationId,
            Optional<Long> expectedVersion,
            String bodyHash,
            String bodyHashAsSent) {}
}
