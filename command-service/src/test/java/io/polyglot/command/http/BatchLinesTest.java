package io.polyglot.command.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchLinesTest {

    @Test
    void numbersLinesLikeTheClientsFileAndSkipsBlankOnes() {
        // given
        byte[] body = "{\"a\":1}\n\n  \t\n{\"b\":2}\r\n{\"c\":3}".getBytes(StandardCharsets.UTF_8);

        // when
        List<BatchLines.Line> lines = BatchLines.split(body);

        // then
        assertThat(lines).extracting(BatchLines.Line::number).containsExactly(1, 4, 5);
        assertThat(lines)
                .extracting(line -> new String(line.bytes(), StandardCharsets.UTF_8))
                .containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
    }

    @Test
    void countsAFinalNewlineAsTheEndOfTheLastLineNotANewOne() {
        // given
        byte[] withNewline = "a\nb\n".getBytes(StandardCharsets.UTF_8);
        byte[] without = "a\nb".getBytes(StandardCharsets.UTF_8);

        // when
        int counted = BatchLines.count(withNewline);
        int countedWithout = BatchLines.count(without);

        // then
        assertThat(counted).isEqualTo(2);
        assertThat(countedWithout).isEqualTo(2);
        assertThat(BatchLines.count(new byte[0])).isZero();
    }

    @Test
    void keepsMultiByteCharactersOfALineWhole() {
        // given
        byte[] body = "{\"id\":\"Störung – 1\"}\n".getBytes(StandardCharsets.UTF_8);

        // when
        List<BatchLines.Line> lines = BatchLines.split(body);

        // then
        assertThat(new String(lines.get(0).bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"Störung – 1\"}");
    }
}
