package io.polyglot.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ServiceEndpointTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesLivenessReadinessAndMetricsOnLoopback() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        var registry = Metrics.registry("test");
        registry.counter("polyglot.events.archived", "aggregate_type", "LoanApplication")
                .increment(3);

        try (ServiceEndpoint endpoint = ServiceEndpoint.start("127.0.0.1", 0, registry, ready::get)) {
            assertThat(get(endpoint, "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(endpoint, "/health/ready").statusCode()).isEqualTo(503);

            ready.set(true);

            assertThat(get(endpoint, "/health/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(endpoint, "/metrics");
            assertThat(metrics.body())
                    .contains("polyglot_events_archived_total{aggregate_type=\"LoanApplication\",service=\"test\"} 3.0")
                    .contains("jvm_memory_used_bytes");
            assertThat(get(endpoint, "/nothing").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void reportsNotReadyWhenTheCheckFails() throws Exception {
        try (ServiceEndpoint endpoint = ServiceEndpoint.start("127.0.0.1", 0, Metrics.registry("t"), () -> {
            throw new IllegalStateException("broken");
        })) {
            assertThat(get(endpoint, "/health/ready").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void answersAdminRoutesOnlyForRequestsItsAccessAllows() throws Exception {
        // given routes that echo the request, behind an access check that wants one header
        AdminRoutes echo =
                (method, path) -> AdminResponse.ok("{\"method\":\"" + method + "\",\"path\":\"" + path + "\"}");
        AdminAccess access = headers ->
                headers.getOrDefault("X-test-key", java.util.List.of()).contains("open");

        try (ServiceEndpoint endpoint =
                ServiceEndpoint.start("127.0.0.1", 0, Metrics.registry("t"), () -> true, echo, access)) {
            // when
            HttpResponse<String> refused = get(endpoint, "/admin/dead-letters");
            HttpResponse<String> allowed = http.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + endpoint.port() + "/admin/dead-letters/1/2"))
                            .header("X-Test-Key", "open")
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            // then
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"polyglot\"");
            assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.body()).isEqualTo("{\"method\":\"POST\",\"path\":\"/admin/dead-letters/1/2\"}");
            assertThat(get(endpoint, "/health/live").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void routesAdminRequestsByPrefixWithTheirQueryString() throws Exception {
        // given two groups of routes, one of which reads the query string
        AdminRoutes deadLetters = (method, path) -> AdminResponse.ok("{\"routes\":\"dead-letters\"}");
        AdminRoutes rebuilds = new AdminRoutes() {
            @Override
            public AdminResponse handle(String method, String path) {
                return handle(method, path, null);
            }

            @Override
            public AdminResponse handle(String method, String path, String query) {
                return AdminResponse.ok("{\"routes\":\"rebuilds\",\"query\":\"" + query + "\"}");
            }
        };
        AdminRoutes both =
                AdminRoutes.byPrefix(java.util.Map.of("/admin/dead-letters", deadLetters, "/admin/rebuilds", rebuilds));

        try (ServiceEndpoint endpoint =
                ServiceEndpoint.start("127.0.0.1", 0, Metrics.registry("t"), () -> true, both, AdminAccess.OPEN)) {
            // when / then
            assertThat(get(endpoint, "/admin/dead-letters/0/1").body()).isEqualTo("{\"routes\":\"dead-letters\"}");
            assertThat(get(endpoint, "/admin/rebuilds?view=a&view=b").body())
                    .isEqualTo("{\"routes\":\"rebuilds\",\"query\":\"view=a&view=b\"}");
            assertThat(get(endpoint, "/admin/rebuildsX").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void answersAFailingAdminRouteWithAProblemAndNoStackTrace() throws Exception {
        AdminRoutes failing = (method, path) -> {
            throw new IllegalStateException("secret detail");
        };
        try (ServiceEndpoint endpoint =
                ServiceEndpoint.start("127.0.0.1", 0, Metrics.registry("t"), () -> true, failing, AdminAccess.OPEN)) {
            HttpResponse<String> answer = get(endpoint, "/admin/anything");

            assertThat(answer.statusCode()).isEqualTo(500);
            assertThat(answer.body()).contains("urn:polyglot:problem:internal").doesNotContain("secret detail");
        }
    }

    private HttpResponse<String> get(ServiceEndpoint endpoint, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
