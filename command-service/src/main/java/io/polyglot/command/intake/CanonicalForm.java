package io.polyglot.command.intake;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The canonical form of one command's JSON: the form in which two bodies that the intake reads as the same command
 * are the same text, so that their hash tells a retry from a command id reused for another body.
 *
 * <p>It is the parsed body written compactly with these differences, and no others:
 *
 * <ul>
 *   <li>the members of every object are in the order of their names' Unicode code points, at every depth;
 *   <li>a member whose value is {@code null} is left out where the intake read it as absent (an optional field);
 *   <li>a number is written as the parser read it: {@code -0} as {@code 0}; the intake reads only whole numbers
 *       that fit a long and refuses every other way of writing one (a fraction, an exponent, leading zeros), so no
 *       two forms of one value reach the hash;
 *   <li>a business time is written in UTC ({@link Instant#toString()}) where the intake read it as an instant.
 * </ul>
 *
 * <p>Everything else stays as it was parsed: texts are compared character for character after JSON's escapes are
 * decoded, so an empty text, another Unicode normalization, another case or a member sent empty instead of left out
 * still makes another body. The readers of {@link JsonFields} note what they read as absent or in a normal form, as
 * they read it; a field no reader notes is hashed as parsed, so a missing note can only make a retry count as another
 * body, never another body count as a retry.
 */
final class CanonicalForm {

    /** What a noted member becomes; {@link MissingNode} for one read as absent. */
    private final Map<ObjectNode, Map<String, JsonNode>> notes = new IdentityHashMap<>();

    /** The member {@code name} of {@code object} was {@code null} and read as absent. */
    void readAsAbsent(ObjectNode object, String name) {
        note(object, name, MissingNode.getInstance());
    }

    /** The member {@code name} of {@code object} was read as the instant {@code value}. */
    void readAsInstant(ObjectNode object, String name, Instant value) {
        note(object, name, TextNode.valueOf(value.toString()));
    }

    private void note(ObjectNode object, String name, JsonNode value) {
        notes.computeIfAbsent(object, key -> new HashMap<>(4)).put(name, value);
    }

    /** Writes {@code node}, which the notes were taken on, in canonical form. */
    void write(ObjectMapper json, JsonNode node, JsonGenerator out) throws IOException {
        if (node instanceof ObjectNode object) {
            writeObject(json, object, out);
        } else if (node.isArray()) {
            out.writeStartArray();
            for (JsonNode element : node) {
                write(json, element, out);
            }
            out.writeEndArray();
        } else {
            json.writeTree(out, node);
        }
    }

    private void writeObject(ObjectMapper json, ObjectNode object, JsonGenerator out) throws IOException {
        Map<String, JsonNode> noted = notes.getOrDefault(object, Map.of());
        String[] names = new String[object.size()];
        int i = 0;
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            names[i++] = it.next();
        }
        Arrays.sort(names, CanonicalForm::compareCodePoints);
        out.writeStartObject();
        for (String name : names) {
            JsonNode value = noted.getOrDefault(name, object.get(name));
            if (!value.isMissingNode()) {
                out.writeFieldName(name);
                write(json, value, out);
            }
        }
        out.writeEndObject();
    }

    /**
     * Orders texts by their Unicode code points, the order of their UTF-8 bytes; {@link String#compareTo} compares
     * UTF-16 units, which puts characters beyond U+FFFF before U+E000 to U+FFFF.
     */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
