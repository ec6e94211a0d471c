package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShellWordsTest {
    @Test
    void quotesValuesSoThatBashEvaluatesThemBackUnchanged() throws IOException, InterruptedException {
        // given
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PLAIN", "postgresql://polyglot:pw@127.0.0.1:5432/polyglot");
        env.put("TRICKY", "it's $HOME `date` \\ \"quoted\" ; rm -rf / #");

        // when
        String evaluated = bash("eval \"$1\"; printf '%s\\n%s' \"$PLAIN\" \"$TRICKY\"", ShellWords.assignments(env));

        // then
        assertThat(evaluated).isEqualTo(env.get("PLAIN") + "\n" + env.get("TRICKY"));
    }

    static String bash(String script, String argument) throws IOException, InterruptedException {
        Process bash = new ProcessBuilder("bash", "-c", script, "bash", argument)
                .redirectErrorStream(true)
                .start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor()).as("bash exit status, output: %s", output).isZero();
        return output;
    }
}
