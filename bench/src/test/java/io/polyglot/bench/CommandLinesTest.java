package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The payloads come from the real BPI 2012 log in {@code ../shared/datasets}. */
class CommandLinesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static List<LogEvent> events;

    @BeforeAll
    static void readTheFirstCasesOfTheBpiLog() {
        Path root = Path.of(System.getProperty("polyglot.root", ".")).toAbsolutePath();
        events = XesLog.read(root.resolveSibling("shared").resolve("datasets/bpic2012/bpic2012.xes.gz"), 500);
    }

    @Test
    void readsWholeCasesThatStartWithTheirSubmission() {
        // then
        assertThat(events.size()).isGreaterThanOrEqualTo(500);
        Map<String, List<LogEvent>> byCase = byCase(events);
        assertThat(byCase.values())
                .allSatisfy(one -> assertThat(one.get(0).activity()).isEqualTo("A_SUBMITTED"));
        assertThat(byCase.values())
                .allSatisfy(one -> assertThat(one.get(0).attributes()).containsKey("AMOUNT_REQ"));
    }

    @Test
    void interleavingKeepsTheOrderWithinEachCase() {
        // when
        List<LogEvent> interleaved = CommandLines.interleaved(events, 8);

        // then
        assertThat(interleaved).hasSameSizeAs(events);
        assertThat(byCase(interleaved)).isEqualTo(byCase(events));
        assertThat(interleaved.get(1).caseId()).isNotEqualTo(interleaved.get(0).caseId());
    }

    @Test
    void reKeysEveryPassSoNoCommandIdOrAggregateRepeats() throws IOException {
        // given
        List<LogEvent> oneCase = byCase(events).values().iterator().next();
        CommandLines lines = new CommandLines(oneCase, "LoanApplication", "t");

        // when two passes over the case are taken
        List<JsonNode> commands = new ArrayList<>();
        for (int i = 0; i < oneCase.size() * 2; i++) {
            commands.add(JSON.readTree(lines.next()));
        }

        // then
        assertThat(commands.stream().map(c -> c.get("commandId").asText()).distinct())
                .hasSize(commands.size());
        assertThat(commands.stream().map(c -> c.get("aggregateId").asText()).distinct())
                .hasSize(2);
        assertThat(commands.get(0).get("payload").get("activity").asText()).isEqualTo("A_SUBMITTED");
        assertThat(commands.get(oneCase.size()).get("payload").get("activity").asText())
                .isEqualTo("A_SUBMITTED");
    }

    @Test
    void aBatchIsOneCommandPerLine() throws IOException {
        // given
        CommandLines lines = new CommandLines(events, "LoanApplication", "b");

        // when
        String[] batch = new String(lines.nextBatch(10), java.nio.charset.StandardCharsets.UTF_8).split("\n");

        // then
        assertThat(batch).hasSize(10);
        assertThat(JSON.readTree(batch[9]).get("commandId").asText()).isEqualTo("b-9");
    }

    private static Map<String, List<LogEvent>> byCase(List<LogEvent> list) {
        Map<String, List<LogEvent>> byCase = new LinkedHashMap<>();
        list.forEach(
                e -> byCase.computeIfAbsent(e.caseId(), id -> new ArrayList<>()).add(e));
        return byCase;
    }
}
