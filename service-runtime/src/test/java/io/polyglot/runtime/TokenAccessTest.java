package io.polyglot.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class TokenAccessTest {

    private static final Logger log = LoggerFactory.getLogger(TokenAccessTest.class);
    private static final String TOKEN = "q5N1b0oX-YwzV3sD_8hLpTgq2kRjc7eFAmU4iWnP0xA";
    private static final AdminRoutes ECHO = (method, path) -> AdminResponse.ok("{\"path\":\"" + path + "\"}");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void refusesEveryWayOfNotShowingTheRightTokenWithABearerChallenge() throws Exception {
        // given an endpoint guarded by a token
        try (ServiceEndpoint endpoint = endpoint(access(TOKEN, true))) {
            // when / then
            Map<String, List<String>> refusals = Map.of(
                    "missing", List.of(),
                    "basic", List.of("Basic dXNlcjpwYXNz"),
                    "bearer with nothing", List.of("Bearer "),
                    "bearer without a space", List.of("Bearer"),
                    "two headers", List.of("Bearer " + TOKEN, "Bearer " + TOKEN),
                    "wrong token", List.of("Bearer " + TOKEN.replace('q', 'r')));
            refusals.forEach((way, headers) -> {
                HttpResponse<String> answer = get(endpoint, "/admin/dead-letters", headers);
                assertThat(answer.statusCode()).as(way).isEqualTo(401);
                assertThat(answer.headers().firstValue("WWW-Authenticate"))
                        .as(way)
                        .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Bearer realm=\"polyglot\""));
                assertThat(answer.headers().firstValue("Content-Type")).as(way).contains("application/problem+json");
                assertThat(answer.body())
                        .as(way)
                        .contains("urn:polyglot:problem:unauthorized")
                        .doesNotContain(TOKEN);
            });
        }
    }

    @Test
    void marksOnlyAWellFormedWrongTokenAsInvalid() throws Exception {
        try (ServiceEndpoint endpoint = endpoint(access(TOKEN, true))) {
            HttpResponse<String> wrong = get(endpoint, "/admin/x", List.of("Bearer " + TOKEN + "x"));
            HttpResponse<String> missing = get(endpoint, "/admin/x", List.of());

            assertThat(wrong.headers().firstValue("WWW-Authenticate"))
                    .contains("Bearer realm=\"polyglot\", error=\"invalid_token\"");
            assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"polyglot\"");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "bearer", "BEARER", "bEaReR"})
    void letsTheRightTokenThroughWhateverTheCaseOfTheScheme(String scheme) throws Exception {
        try (ServiceEndpoint endpoint = endpoint(access(TOKEN, true))) {
            HttpResponse<String> answer = get(endpoint, "/admin/dead-letters", List.of(scheme + " " + TOKEN));

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("{\"path\":\"/admin/dead-letters\"}");
        }
    }

    @Test
    void answersHealthWithoutATokenAndUnknownPathsOnlyWithIt() throws Exception {
        try (ServiceEndpoint endpoint = endpoint(access(TOKEN, true))) {
            assertThat(get(endpoint, "/health/ready", List.of()).statusCode()).isEqualTo(200);
            assertThat(get(endpoint, "/health/live", List.of()).statusCode()).isEqualTo(200);
            assertThat(get(endpoint, "/nothing", List.of()).statusCode()).isEqualTo(401);
            assertThat(get(endpoint, "/nothing", List.of("Bearer " + TOKEN)).statusCode())
                    .isEqualTo(404);
        }
    }

    @Test
    void opensOrClosesMetricsBySetting() throws Exception {
        try (ServiceEndpoint open = endpoint(access(TOKEN, true));
                ServiceEndpoint closed = endpoint(access(TOKEN, false))) {
            assertThat(get(open, "/metrics", List.of()).statusCode()).isEqualTo(200);
            assertThat(get(closed, "/metrics", List.of()).statusCode()).isEqualTo(401);
            HttpResponse<String> shown = get(closed, "/metrics", List.of("Bearer " + TOKEN));
            assertThat(shown.statusCode()).isEqualTo(200);
            assertThat(shown.body()).contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void runsOpenWithoutATokenOnLoopback() throws Exception {
        TokenAccess open = TokenAccess.load(Map.of(), "127.0.0.1", log);
        TokenAccess openOnIpv6 = TokenAccess.load(Map.of(), "::1", log);

        try (ServiceEndpoint endpoint = endpoint(open)) {
            assertThat(open.requiresToken()).isFalse();
            assertThat(openOnIpv6.requiresToken()).isFalse();
            assertThat(get(endpoint, "/admin/dead-letters", List.of()).statusCode())
                    .isEqualTo(200);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "192.0.2.10"})
    void refusesToStartWithoutATokenOnANonLoopbackBind(String host) {
        assertThatThrownBy(() -> TokenAccess.load(Map.of(), host, log))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("POLYGLOT_TOKEN is not set")
                .hasMessageContaining(host)
                .hasMessageContaining("not a loopback address");
    }

    @Test
    void startsOnANonLoopbackBindWhenATokenIsSet() {
        TokenAccess guarded = TokenAccess.load(Map.of("POLYGLOT_TOKEN", TOKEN), "0.0.0.0", log);

        assertThat(guarded.requiresToken()).isTrue();
        assertThat(guarded.guards("/v1/commands")).isTrue();
        assertThat(guarded.guards("/health/ready")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/health/ready/../../v1/commands", "/health/%2e%2e/v1/commands", "/health/", "/metrics/x"})
    void guardsAPathThatOnlyStartsLikeAnOpenOne(String path) {
        TokenAccess guarded = access(TOKEN, true);

        assertThat(guarded.guards(path)).isTrue();
        assertThat(guarded.guards("/health/live")).isFalse();
        assertThat(guarded.guards("/metrics")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "has spaces in it, sixteen+", "quote\"inside-the-token-text"})
    void refusesATokenThatCouldNotTravelInAHeaderWithoutShowingIt(String token) {
        assertThatThrownBy(() -> TokenAccess.load(Map.of("POLYGLOT_TOKEN", token), "127.0.0.1", log))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("POLYGLOT_TOKEN=****")
                .hasMessageNotContaining(token);
    }

    @Test
    void neverShowsTheTokenInItsTextForms() {
        TokenAccess guarded = access(TOKEN, true);

        assertThat(guarded.toString()).doesNotContain(TOKEN);
        assertThat(BearerToken.of(TOKEN).toString()).doesNotContain(TOKEN);
    }

    private static TokenAccess access(String token, boolean metricsOpen) {
        return TokenAccess.load(
                Map.of("POLYGLOT_TOKEN", token, "METRICS_OPEN", Boolean.toString(metricsOpen)), "127.0.0.1", log);
    }

    private static ServiceEndpoint endpoint(AdminAccess access) {
        return ServiceEndpoint.start("127.0.0.1", 0, Metrics.registry("t"), () -> true, ECHO, access);
    }

    private HttpResponse<String> get(ServiceEndpoint endpoint, String path, List<String> authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path));
        authorization.forEach(value -> request.header("Authorization", value));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
