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

    private HttpResponse<String> get(ServiceEndpoint endpoint, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
