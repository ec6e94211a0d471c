package io.polyglot.command;

import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.polyglot.runtime.InvalidSettingException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The command service with {@code POLYGLOT_TOKEN} set and {@code METRICS_OPEN=false}: every route but health wants
 * the token, and the token shows in no log line of this JVM and in no answer.
 */
class BearerTokenTest {

    private static final String TOKEN = "cmd-Zq3v_Hk8sLr2Tn0wYb5Xe7Ua1Mj4Pg6C";
    private static final String CHALLENGE = "Bearer realm=\"polyglot\"";

    @TempDir
    static Path dataDir;

    static RunningCommandService running;
    static final ListAppender<ILoggingEvent> logLines = new ListAppender<>();
    static final List<HttpResponse<String>> answers = new ArrayList<>();

    @BeforeAll
    static void start() {
        logLines.start();
        rootLogger().addAppender(logLines);
        running = RunningCommandService.start(dataDir, Map.of("POLYGLOT_TOKEN", TOKEN, "METRICS_OPEN", "false"));
    }

    @AfterAll
    static void stop() {
        running.close();
        rootLogger().detachAppender(logLines);
    }

    @Test
    void refusesEveryWayOfNotShowingTheRightTokenBeforeReadingTheCommand() {
        // given
        Map<String, List<String>> refusals = Map.of(
                "missing", List.of(),
                "basic", List.of("Basic " + TOKEN),
                "bearer with nothing", List.of("Bearer "),
                "two headers", List.of("Bearer " + TOKEN, "Bearer " + TOKEN),
                "wrong token", List.of("Bearer " + TOKEN.toUpperCase(java.util.Locale.ROOT)));
        long commandsBefore = running.committedCount("commands");

        refusals.forEach((way, authorization) -> {
            // when
            HttpResponse<String> answer = send("POST", "/v1/commands", authorization);

            // then
            assertThat(answer.statusCode()).as(way + ": " + answer.body()).isEqualTo(401);
            assertThat(answer.headers().firstValue("WWW-Authenticate"))
                    .as(way)
                    .hasValueSatisfying(value -> assertThat(value).startsWith(CHALLENGE));
            assertThat(answer.headers().firstValue("Content-Type")).as(way).contains("application/problem+json");
            assertThat(RunningCommandService.json(answer).get("type").asText())
                    .as(way)
                    .isEqualTo("urn:polyglot:problem:unauthorized");
        });
        assertThat(running.committedCount("commands")).isEqualTo(commandsBefore);
    }

    @Test
    void marksAWrongTokenInvalidInTheChallenge() {
        HttpResponse<String> answer = send("GET", "/v1/commands/anything", List.of("Bearer not-" + TOKEN));

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.headers().firstValue("WWW-Authenticate")).contains(CHALLENGE + ", error=\"invalid_token\"");
    }

    @Test
    void refusesATokenThatDiffersOnlyInCaseFromOneSentBeforeOnTheSameConnection() {
        // given the right token, then the same letters in another case, on one kept-alive connection
        HttpResponse<String> right = send("GET", "/v1/commands/case-check", List.of("Bearer " + TOKEN));
        HttpResponse<String> otherCase =
                send("GET", "/v1/commands/case-check", List.of("Bearer " + TOKEN.toLowerCase(java.util.Locale.ROOT)));

        // then the server's header cache did not take the second for the first
        assertThat(right.statusCode()).isEqualTo(404);
        assertThat(otherCase.statusCode()).isEqualTo(401);
    }

    @Test
    void acceptsTheRightTokenWhateverTheCaseOfTheScheme() {
        for (String scheme : List.of("Bearer", "bearer", "BEARER")) {
            HttpResponse<String> answer = send(
                    "POST",
                    "/v1/commands",
                    List.of(scheme + " " + TOKEN),
                    recordActivity("token-" + scheme, "Case token " + scheme).toString());

            assertThat(answer.statusCode()).as(scheme).isEqualTo(200);
            assertThat(RunningCommandService.json(answer).get("status").asText())
                    .isEqualTo("accepted");
        }
    }

    @Test
    void answersHealthWithoutAToken() {
        assertThat(send("GET", "/health/live", List.of()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/health/ready", List.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void closesMetricsWhenTheSettingSaysSo() {
        HttpResponse<String> refused = send("GET", "/metrics", List.of());
        HttpResponse<String> shown = send("GET", "/metrics", List.of("Bearer " + TOKEN));

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(shown.body()).contains("polyglot_commands_total");
    }

    @Test
    void tellsNothingAboutRoutesWithoutTheToken() {
        assertThat(send("GET", "/no/such/route", List.of()).statusCode()).isEqualTo(401);
        assertThat(send("DELETE", "/v1/commands", List.of()).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/openapi.json", List.of()).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/health/ready/../../v1/commands/x", List.of()).statusCode())
                .as("a path that only starts like health")
                .isIn(400, 401);

        assertThat(send("GET", "/no/such/route", List.of("Bearer " + TOKEN)).statusCode())
                .isEqualTo(404);
        assertThat(send("DELETE", "/v1/commands", List.of("Bearer " + TOKEN)).statusCode())
                .isEqualTo(405);
    }

    @Test
    void showsTheTokenInNoLogLineAndNoAnswer() {
        // given failing and succeeding calls, with and without the token
        send("POST", "/v1/commands", List.of("Bearer " + TOKEN + "x"));
        send("POST", "/v1/commands", List.of("Bearer " + TOKEN), "{not json");
        send(
                "POST",
                "/v1/commands",
                List.of("Bearer " + TOKEN),
                recordActivity("token-log", "Case log").toString());
        send("GET", "/v1/aggregates/LoanApplication/Case%20log", List.of("Bearer " + TOKEN));
        send("GET", "/metrics", List.of("Bearer " + TOKEN));

        // when
        String everyLogLine = List.copyOf(logLines.list).stream()
                .map(BearerTokenTest::fullText)
                .collect(Collectors.joining("\n"));
        String everyAnswer = answers.stream()
                .map(answer -> answer.headers().map() + "\n" + answer.body())
                .collect(Collectors.joining("\n"));

        // then
        assertThat(everyLogLine).contains("Command service started").doesNotContain(TOKEN);
        assertThat(everyAnswer).contains("urn:polyglot:problem:unauthorized").doesNotContain(TOKEN);
    }

    @Test
    void refusesToStartWithoutATokenOnANonLoopbackBind() {
        assertThatThrownBy(() -> CommandServiceConfig.from(Map.of("HTTP_HOST", "0.0.0.0")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("POLYGLOT_TOKEN is not set and HTTP_HOST=0.0.0.0 is not a loopback address");
    }

    private static HttpResponse<String> send(String method, String path, List<String> authorization) {
        return send(method, path, authorization, "");
    }

    private static HttpResponse<String> send(String method, String path, List<String> authorization, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(running.uri(path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        authorization.forEach(value -> request.header("Authorization", value));
        HttpResponse<String> answer = running.send(request.build());
        answers.add(answer);
        return answer;
    }

    private static String fullText(ILoggingEvent event) {
        StringBuilder text =
                new StringBuilder(event.getFormattedMessage()).append(' ').append(event.getMDCPropertyMap());
        for (IThrowableProxy cause = event.getThrowableProxy(); cause != null; cause = cause.getCause()) {
            text.append(' ').append(cause.getClassName()).append(": ").append(cause.getMessage());
        }
        return text.toString();
    }

    private static Logger rootLogger() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
