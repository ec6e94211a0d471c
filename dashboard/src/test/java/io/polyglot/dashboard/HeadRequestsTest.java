package io.polyglot.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code HEAD} answers what {@code GET} of the same resource answers (RFC 9110): its status and headers, a found
 * resource's and a missing one's alike, without the body.
 */
class HeadRequestsTest {

    @TempDir
    static Path dataDir;

    private static TestDashboard dashboard;

    @BeforeAll
    static void startTheDashboard() {
        dashboard = TestDashboard.start(dataDir, Clock.systemUTC());
    }

    @AfterAll
    static void stopTheDashboard() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/api/views, 200",
        "/api/views/helpdesk_tickets?size=1, 200",
        "/api/views/helpdesk_tickets/columns, 200",
        "/overview, 200",
        "/health/live, 200",
        "/api/views/nope, 404",
        "/api/views/nope/columns, 404",
        "/api/topics/nope, 404",
        "/api/views/helpdesk_tickets?size=0, 400",
        "/api/views?nope=1, 400",
        "/api/nothing-here, 404",
        "/api/sync/rebuild, 405"
    })
    void answersTheStatusAndHeadersOfAGetWithoutTheBody(String path, int status) throws Exception {
        // when
        HttpResponse<String> get = dashboard.get(path);
        HttpResponse<String> head = dashboard.send(HttpRequest.newBuilder(URI.create(dashboard.url(path)))
                .header("Authorization", "Bearer " + TestDashboard.TOKEN)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());

        // then
        assertThat(get.statusCode()).as(get.body()).isEqualTo(status);
        assertThat(head.statusCode()).isEqualTo(status);
        assertThat(head.headers().firstValue("Content-Type"))
                .isEqualTo(get.headers().firstValue("Content-Type"));
        assertThat(head.headers().firstValue("Allow")).isEqualTo(get.headers().firstValue("Allow"));
        assertThat(head.body()).isEmpty();
    }
}
