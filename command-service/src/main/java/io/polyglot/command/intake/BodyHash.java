package io.polyglot.command.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a command's JSON, written back compactly from its parsed tree: the same command sent again, even
 * with other whitespace, hashes the same, so a retry is told from a command id reused for another body.
 */
final class BodyHash {

    private BodyHash() {}

    static String of(ObjectMapper json, JsonNode command) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(json.writeValueAsBytes(command)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree is always writable", e);
        }
    }
}
