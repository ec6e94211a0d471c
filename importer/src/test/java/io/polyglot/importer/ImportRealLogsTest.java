package io.polyglot.importer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyglot.importer.testing.Cli;
import io.polyglot.importer.testing.Cli.Run;
import io.polyglot.importer.testing.Datasets;
import io.polyglot.importer.testing.StandInCommandService;
import io.polyglot.importer.testing.StandInCommandService.Responder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real logs through the command line to {@link StandInCommandService}, a real HTTP server on loopback standing in
 * for the command service so the test can watch how many requests are in flight and which cases they hold.
 */
class ImportRealLogsTest {

    @Test
    void sendsTheHelpdeskLogWithSeveralRequestsInFlightAndEachCaseInOrder() throws Exception {
        // given a stand-in that holds the first two requests until both have arrived
        Responder responder = Responder.holdingUntilConcurrent(2, Duration.ofSeconds(10), Responder.acceptAll());
        try (StandInCommandService service = StandInCommandService.start(responder)) {

            // when
            Run run = Cli.run(
                    Map.of("COMMAND_URL", service.url().toString()),
                    "--type",
                    "Ticket",
                    "--in-flight",
                    "4",
                    "--batch-size",
                    "500",
                    "--progress",
                    "lines",
                    Datasets.helpdesk().toString());

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.OK);
            assertThat(service.mostInFlight()).isGreaterThanOrEqualTo(2);
            assertThat(service.overlappingCases()).isEmpty();
            List<JsonNode> lines = service.answeredLines();
            assertThat(lines).hasSize(21_348);
            Map<String, List<String>> received = ImportMainTest.idsPerCase(lines);
            assertThat(received).hasSize(4_580);
            received.forEach((caseId, ids) -> assertThat(ids)
                    .containsExactlyElementsOf(ImportMainTest.expectedIds("Ticket", caseId, ids.size())));
            assertThat(run.out())
                    .contains("read      21,348 events in 4,580 cases")
                    .contains("accepted  21,348");
            assertThat(run.err()).doesNotContain("\r");
        }
    }

    @Test
    void sendsTheWeatherReadingsAsThreeStationsInFileOrder() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // when
            List<String> args = new ArrayList<>(Datasets.weatherOptions());
            args.addAll(List.of(
                    "--url",
                    service.url().toString(),
                    "--progress",
                    "off",
                    Datasets.weather().toString()));
            Run run = Cli.run(Map.of(), args.toArray(String[]::new));

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.OK);
            List<JsonNode> lines = service.answeredLines();
            assertThat(lines).hasSize(26_115);
            Map<String, List<String>> received = ImportMainTest.idsPerCase(lines);
            assertThat(received).containsOnlyKeys("EWR", "JFK", "LGA");
            received.forEach((caseId, ids) -> assertThat(ids)
                    .containsExactlyElementsOf(ImportMainTest.expectedIds("WeatherStation", caseId, ids.size())));
            JsonNode first = lines.get(0);
            assertThat(first.path("payload").path("activity").asText()).isEqualTo("WeatherObserved");
            assertThat(first.path("payload").path("occurredAt").asText()).isEqualTo("2013-01-01T06:00:00Z");
            assertThat(first.path("payload").path("attributes").has("wind_gust"))
                    .isFalse();
            assertThat(first.path("payload").path("attributes").path("temp").asText())
                    .isEqualTo("39.02");
            // weather_daily takes the local day from these three attributes, not from the UTC time_hour
            assertThat(first.path("payload").path("attributes").path("year").asText())
                    .isEqualTo("2013");
            assertThat(first.path("payload").path("attributes").path("month").asText())
                    .isEqualTo("1");
            assertThat(first.path("payload").path("attributes").path("day").asText())
                    .isEqualTo("1");
            assertThat(run.out()).contains("read      26,115 events in 3 cases");
        }
    }
}
