package io.polyglot.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who may see the dashboard: the token, shown as a bearer header or exchanged at the sign-in page for a session
 * cookie. The dashboard reads a clock the test moves, so a session's expiry is seen without waiting.
 */
class AccessTest {

    @TempDir
    static Path dataDir;

    private static final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-04T10:00:00Z"));
    private static TestDashboard dashboard;

    @BeforeAll
    static void startTheDashboard() {
        Clock movable = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        dashboard = TestDashboard.start(dataDir, movable);
    }

    @AfterAll
    static void stopTheDashboard() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "/api/views",
                "/api/views/helpdesk_tickets",
                "/api/views/helpdesk_tickets.csv",
                "/api/views/helpdesk_tickets/columns",
                "/api/overview",
                "/api/overview/stream",
                "/api/nothing-here"
            })
    void refusesAnApiCallWithNeitherCookieNorToken(String path) throws Exception {
        // when
        HttpResponse<String> response = dashboard.send(plain(path).build());

        // then
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Bearer"));
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problems.MEDIA_TYPE);
        assertThat(response.body()).contains("urn:polyglot:problem:unauthorized");
    }

    @Test
    void refusesATokenGivenBlankAtTheSignInWith400() throws Exception {
        // when
        HttpResponse<String> response = dashboard.signIn("", "/grid");

        // then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(response.body())
                        .path("parameter")
                        .asText())
                .isEqualTo("token");
    }

    @Test
    void refusesAWrongBearerToken() throws Exception {
        // when
        HttpResponse<String> response = dashboard.send(plain("/api/views")
                .header("Authorization", "Bearer " + TestDashboard.TOKEN + "x")
                .build());

        // then
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(challenge -> assertThat(challenge).contains("invalid_token"));
    }

    @Test
    void sendsABrowserWithoutASessionToTheSignInPageAndBack() throws Exception {
        // when
        HttpResponse<String> response = dashboard.send(
                plain("/grid?view=loan_funnel").header("Accept", "text/html").build());

        // then
        assertThat(response.statusCode()).isEqualTo(303);
        assertThat(response.headers().firstValue("Location")).hasValue("/signin?next=%2Fgrid%3Fview%3Dloan_funnel");
    }

    @Test
    void keepsHealthTheSignInPageAndTheAssetsOpen() throws Exception {
        // when / then
        for (String path : List.of(
                "/health/live",
                "/health/ready",
                "/signin",
                "/assets/grid.js",
                "/webjars/tabulator-tables/6.3.1/dist/js/tabulator.min.js",
                "/webjars/echarts/5.3.1/dist/echarts.min.js")) {
            assertThat(dashboard.send(plain(path).build()).statusCode())
                    .as(path)
                    .isEqualTo(200);
        }
    }

    @Test
    void exchangesTheTokenForAnHttpOnlyStrictCookieThatOpensPagesAndTheApi() throws Exception {
        // when
        HttpResponse<String> signedIn = dashboard.signIn(TestDashboard.TOKEN, "/grid?view=weather_daily");

        // then
        assertThat(signedIn.statusCode()).isEqualTo(303);
        assertThat(signedIn.headers().firstValue("Location")).hasValue("/grid?view=weather_daily");
        String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("polyglot_session=").contains("HttpOnly", "SameSite=Strict", "Path=/");
        assertThat(cookie).doesNotContain(TestDashboard.TOKEN);
        String session = cookie.substring(0, cookie.indexOf(';'));
        assertThat(dashboard
                        .send(plain("/api/views").header("Cookie", session).build())
                        .statusCode())
                .isEqualTo(200);
        assertThat(dashboard
                        .send(plain("/grid").header("Cookie", session).build())
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void theSignInFormAsServedGoesOnToTheOverview() throws Exception {
        // given the form as the server sends it, before any script fills in a next page from the address
        String page = dashboard.send(plain("/signin").build()).body();
        java.util.regex.Matcher next = java.util.regex.Pattern.compile(
                        "name=\"next\" type=\"hidden\" value=\"([^\"]*)\"")
                .matcher(page);
        assertThat(next.find()).as(page).isTrue();

        // when
        HttpResponse<String> signedIn = dashboard.signIn(TestDashboard.TOKEN, next.group(1));

        // then
        assertThat(signedIn.statusCode()).isEqualTo(303);
        assertThat(signedIn.headers().firstValue("Location")).hasValue("/overview");
    }

    @Test
    void refusesAWrongTokenAtTheSignInPage() throws Exception {
        // when
        HttpResponse<String> response = dashboard.signIn("not-the-token-of-this-stack", "/grid");

        // then
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(response.body()).contains("That is not the stack's token.");
    }

    @Test
    void goesOnOnlyToAPathOfTheDashboardAfterSigningIn() throws Exception {
        // when
        HttpResponse<String> response = dashboard.signIn(TestDashboard.TOKEN, "//elsewhere.example/grid");

        // then
        assertThat(response.headers().firstValue("Location")).hasValue("/overview");
    }

    @Test
    void goesOnToTheOverviewAfterASignInWithoutNext() throws Exception {
        // when: the form as a user who opened /signin by hand posts it
        HttpResponse<String> response = dashboard.send(plain("/signin")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + TestDashboard.TOKEN))
                .build());

        // then: where / leads too
        assertThat(response.statusCode()).isEqualTo(303);
        assertThat(response.headers().firstValue("Location")).hasValue("/overview");
    }

    @Test
    void endsTheSessionAtSignOut() throws Exception {
        // given
        String session = session();

        // when
        HttpResponse<String> signedOut = dashboard.send(plain("/signout")
                .header("Cookie", session)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());

        // then
        assertThat(signedOut.statusCode()).isEqualTo(303);
        assertThat(signedOut.headers().firstValue("Set-Cookie"))
                .hasValueSatisfying(cookie -> assertThat(cookie).contains("Max-Age=0"));
        assertThat(dashboard
                        .send(plain("/api/views").header("Cookie", session).build())
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void forgetsASessionOnceItsTimeToLiveHasPassed() throws Exception {
        // given
        String session = session();
        assertThat(dashboard
                        .send(plain("/api/views").header("Cookie", session).build())
                        .statusCode())
                .isEqualTo(200);

        // when
        now.updateAndGet(instant -> instant.plus(Duration.ofHours(1)));

        // then
        assertThat(dashboard
                        .send(plain("/api/views").header("Cookie", session).build())
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void refusesAMadeUpSessionId() throws Exception {
        // when
        HttpResponse<String> response = dashboard.send(
                plain("/api/views").header("Cookie", "polyglot_session=made-up").build());

        // then
        assertThat(response.statusCode()).isEqualTo(401);
    }

    private static String session() throws Exception {
        String cookie = dashboard
                .signIn(TestDashboard.TOKEN, "/grid")
                .headers()
                .firstValue("Set-Cookie")
                .orElseThrow();
        return cookie.substring(0, cookie.indexOf(';'));
    }

    private static HttpRequest.Builder plain(String path) {
        return HttpRequest.newBuilder(URI.create(dashboard.url(path)));
    }
}
