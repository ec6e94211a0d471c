package io.polyglot.command.intake;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the fields of one JSON object of a command, recording every problem under the field's JSON pointer.
 *
 * <p>Readers return {@link Optional#empty()} both for an absent optional field and for a wrong one; the wrong one
 * has left a problem behind, and a caller builds nothing while {@link #hasProblems()} is true.
 *
 * <p>Readers also note, for the command's {@link CanonicalForm}, an optional field sent as {@code null}, which they
 * read as absent; a command type notes a time it reads as an instant with {@link #readAsInstant}.
 */
public final class JsonFields {

    private static final String UNSTORABLE = "must be valid Unicode text without NUL characters";

    private static final BigDecimal LARGEST = BigDecimal.valueOf(Long.MAX_VALUE);

    private static final String NOT_AN_INTEGER = "must be an integer";

    private static final String WRITTEN_AS_INTEGER =
            "must be written as an integer, without a decimal point or an exponent";

    private final ObjectNode node;
    private final JsonPointer at;
    private final FieldProblems problems;
    private final CanonicalForm canonical;

    private JsonFields(ObjectNode node, JsonPointer at, FieldProblems problems, CanonicalForm canonical) {
        this.node = node;
        this.at = at;
        this.problems = problems;
        this.canonical = canonical;
    }

    /** The fields of {@code node}, or empty (with a problem recorded at {@code at}) when it is not an object. */
    public static Optional<JsonFields> of(JsonNode node, JsonPointer at, FieldProblems problems) {
        return of(node, at, problems, new CanonicalForm());
    }

    private static Optional<JsonFields> of(
            JsonNode node, JsonPointer at, FieldProblems problems, CanonicalForm canonical) {
        if (node instanceof ObjectNode object) {
            return Optional.of(new JsonFields(object, at, problems, canonical));
        }
        problems.add(at, "must be a JSON object");
        return Optional.empty();
    }

    /** What the readers of this object, and of the objects read from it, noted for the canonical form. */
    CanonicalForm canonicalForm() {
        return canonical;
    }

    /** Records a problem for every field whose name is not in {@code known}. */
    public void refuseUnknown(Set<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                problems.add(pointer(name), "unknown field");
            }
        }
    }

    /** Whether the field is present at all, even as {@code null}. */
    public boolean has(String name) {
        return node.has(name);
    }

    /** A string field that must be present and not {@code null}. */
    public Optional<String> requiredText(String name) {
        if (absentOrNull(name)) {
            problems.add(pointer(name), "is required");
            return Optional.empty();
        }
        return text(name);
    }

    /** A string field that may be absent or {@code null}. */
    public Optional<String> optionalText(String name) {
        return readAsAbsent(name) ? Optional.empty() : text(name);
    }

    /**
     * An integer field from {@code min} to {@link Long#MAX_VALUE} that may be absent or {@code null}, judged on the
     * exact value written (the intake reads a number with a point or an exponent as a {@link BigDecimal}, never as a
     * double, which would round {@code 9223372036854775806.5} up to 2^63). A number outside that range is refused as
     * out of range, naming the range, however it is written (more digits than a long holds, an exponent, a minus sign,
     * a fraction); one within it that is not an integer ({@code 5.5}) must be an integer; an integer within it written
     * with a point or an exponent ({@code 5.0}, {@code 5e0}) is refused too, saying so: the field takes one spelling
     * of each value, so that no two spellings of one command reach its {@link CanonicalForm}.
     */
    public Optional<Long> optionalWholeNumber(String name, long min) {
        if (readAsAbsent(name)) {
            return Optional.empty();
        }
        JsonNode value = node.get(name);
        if (!value.isNumber()) {
            problems.add(pointer(name), NOT_AN_INTEGER);
            return Optional.empty();
        }
        if (!within(value, min)) {
            problems.add(pointer(name), "is out of range: must be from " + min + " to " + Long.MAX_VALUE);
            return Optional.empty();
        }
        if (!value.isIntegralNumber()) {
            problems.add(pointer(name), integral(value) ? WRITTEN_AS_INTEGER : NOT_AN_INTEGER);
            return Optional.empty();
        }
        return Optional.of(value.longValue());
    }

    /** Whether a number lies from {@code min} to {@link Long#MAX_VALUE}, compared exactly whatever its JSON form. */
    private static boolean within(JsonNode number, long min) {
        if (number.isIntegralNumber() && number.canConvertToLong()) {
            return number.longValue() >= min;
        }
        // A double cannot be compared exactly; the intake never makes one, but a tree built elsewhere may hold one,
        // and one beyond its own range (1e400) is infinite, which BigDecimal cannot hold.
        if ((number.isDouble() || number.isFloat()) && !Double.isFinite(number.doubleValue())) {
            return false;
        }
        BigDecimal exact = number.decimalValue();
        return exact.compareTo(BigDecimal.valueOf(min)) >= 0 && exact.compareTo(LARGEST) <= 0;
    }

    /**
     * Whether a number known to lie within a long's range has no fraction. Only then is its trailing-zero count bounded
     * by its digits, so stripping them is cheap; a number beyond the range may carry an exponent of a billion.
     */
    private static boolean integral(JsonNode number) {
        BigDecimal exact = number.decimalValue();
        return exact.signum() == 0
                || exact.scale() <= 0
                || exact.stripTrailingZeros().scale() <= 0;
    }

    /** An object field that must be present. */
    public Optional<JsonFields> requiredObject(String name) {
        if (absentOrNull(name)) {
            problems.add(pointer(name), "is required");
            return Optional.empty();
        }
        return of(node.get(name), pointer(name), problems, canonical);
    }

    /** An object field that may be absent or {@code null}. */
    public Optional<JsonFields> optionalObject(String name) {
        return readAsAbsent(name) ? Optional.empty() : of(node.get(name), pointer(name), problems, canonical);
    }

    /**
     * Notes that the field {@code name}, read as text, is the business time {@code instant}: the canonical form holds
     * it in UTC, so the same instant sent with another offset or another number of fraction digits is the same
     * command.
     */
    public void readAsInstant(String name, Instant instant) {
        canonical.readAsInstant(node, name, instant);
    }

    /**
     * Every member of this object as a string, in document order; a member that is not a string leaves a problem.
     */
    public Map<String, String> stringMembers() {
        Map<String, String> members = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual()) {
                problems.add(pointer(field.getKey()), "must be a string");
            } else if (unstorable(field.getKey()) || unstorable(field.getValue().textValue())) {
                problems.add(pointer(field.getKey()), UNSTORABLE);
            } else {
                members.put(field.getKey(), field.getValue().textValue());
            }
        }
        return members;
    }

    /** Records a problem with the field {@code name} of this object. */
    public void problem(String name, String message) {
        problems.add(pointer(name), message);
    }

    public boolean hasProblems() {
        return !problems.isEmpty();
    }

    /** The JSON pointer of the field {@code name} of this object. */
    public JsonPointer pointer(String name) {
        return at.appendProperty(name);
    }

    private boolean absentOrNull(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull();
    }

    /** Whether the optional field {@code name} is absent; one sent as {@code null} is, and the note says so. */
    private boolean readAsAbsent(String name) {
        JsonNode value = node.get(name);
        if (value != null && value.isNull()) {
            canonical.readAsAbsent(node, name);
        }
        return value == null || value.isNull();
    }

    private Optional<String> text(String name) {
        JsonNode value = node.get(name);
        if (!value.isTextual()) {
            problems.add(pointer(name), "must be a string");
            return Optional.empty();
        }
        if (unstorable(value.textValue())) {
            problems.add(pointer(name), UNSTORABLE);
            return Optional.empty();
        }
        return Optional.of(value.textValue());
    }

    /**
     * Whether a text cannot travel unchanged to every store: Avro writes strings as UTF-8 and would silently replace an
     * unpaired surrogate, and PostgreSQL's {@code text} cannot hold NUL, so a read model could never apply the event.
     */
    private static boolean unstorable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return true;
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
