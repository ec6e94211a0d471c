package io.polyglot.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code GET /api/views/{view}} and its columns and CSV export against a real PostgreSQL with the read-model
 * migrations applied and 30 helpdesk tickets in the table behind {@code helpdesk_tickets}: ticket {@code T01} to
 * {@code T30}, ticket i with {@code i % 7 + 1} events, so that many share an event count.
 */
class ViewEndpointTest {

    private static final int TICKETS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static TestDashboard dashboard;

    @BeforeAll
    static void startTheDashboardOverTickets() throws Exception {
        dashboard = TestDashboard.start(dataDir, Clock.systemUTC());
        StringBuilder insert = new StringBuilder("INSERT INTO projection.helpdesk_ticket (ticket_id, status, opened_at,"
                + " last_event_at, event_count, aggregate_version, source_partition, source_offset) VALUES ");
        for (int i = 1; i <= TICKETS; i++) {
            insert.append(i == 1 ? "" : ", ")
                    .append(String.format(
                            "('T%02d', '%s', '2012-01-%02dT08:00:00Z', '2012-03-%02dT08:00:00Z', %d, %d, 0, %d)",
                            i, i % 3 == 0 ? "Closed" : "Resolve ticket", i, i, eventCount(i), eventCount(i), i));
        }
        dashboard.execute(insert.toString());
    }

    @AfterAll
    static void stopTheDashboard() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    private static int eventCount(int ticket) {
        return ticket % 7 + 1;
    }

    @Test
    void answersAPageWithTheTotalAndRowsKeyedByColumn() throws Exception {
        // when
        JsonNode body = json(dashboard.get("/api/views/helpdesk_tickets?page=0&size=5"));

        // then
        assertThat(body.get("total").asLong()).isEqualTo(TICKETS);
        assertThat(body.get("rows")).hasSize(5);
        JsonNode first = body.get("rows").get(0);
        assertThat(fieldNames(first))
                .containsExactly("ticket_id", "status", "opened_at", "last_event_at", "event_count");
        assertThat(first.get("ticket_id").asText()).isEqualTo("T01");
        assertThat(first.get("opened_at").asText()).isEqualTo("2012-01-01T08:00:00Z");
        assertThat(first.get("event_count").isNumber()).isTrue();
        assertThat(first.get("event_count").asLong()).isEqualTo(eventCount(1));
    }

    @Test
    void describesTheColumnsOfAViewFromTheViewItself() throws Exception {
        // when
        JsonNode columns = json(dashboard.get("/api/views/helpdesk_tickets/columns"));

        // then
        assertThat(StreamSupport.stream(columns.spliterator(), false)
                        .map(column -> column.get("name").asText() + " "
                                + column.get("type").asText()))
                .containsExactly(
                        "ticket_id text",
                        "status text",
                        "opened_at timestamp with time zone",
                        "last_event_at timestamp with time zone",
                        "event_count bigint");
        assertThat(columns.get(4).get("description").asText()).isEqualTo("How many events of the ticket were applied.");
    }

    @Test
    void sortsDescendingAndBreaksTiesByTheOtherColumnsInOrder() throws Exception {
        // when
        JsonNode rows = json(dashboard.get("/api/views/helpdesk_tickets?sort=-event_count&size=100"))
                .get("rows");

        // then: the most events first, equal counts by ticket id
        List<String> expected = IntStream.rangeClosed(1, TICKETS)
                .boxed()
                .sorted((a, b) -> eventCount(a) != eventCount(b)
                        ? Integer.compare(eventCount(b), eventCount(a))
                        : Integer.compare(a, b))
                .map(i -> String.format("T%02d", i))
                .toList();
        assertThat(column(rows, "ticket_id")).containsExactlyElementsOf(expected);
    }

    @Test
    void pagesFromZeroWithoutRepeatingOrSkippingARow() throws Exception {
        // given
        List<String> seen = new ArrayList<>();

        // when
        for (int page = 0; page < 4; page++) {
            JsonNode body = json(dashboard.get("/api/views/helpdesk_tickets?sort=event_count&size=8&page=" + page));
            seen.addAll(column(body.get("rows"), "ticket_id"));
        }

        // then
        assertThat(seen).hasSize(TICKETS).doesNotHaveDuplicates();
    }

    @ParameterizedTest(name = "{0} keeps {1} rows")
    @CsvSource(
            delimiter = '|',
            value = {
                "event_count:eq:7 | 4",
                "event_count:ne:7 | 26",
                "event_count:lt:2 | 4",
                "event_count:le:2 | 9",
                "event_count:gt:6 | 4",
                "event_count:ge:6 | 8",
                "status:contains:CLOSE | 10",
                "status:eq:Closed | 10",
                "opened_at:ge:2012-01-25T00:00:00Z | 6",
                "ticket_id:contains:% | 0",
                "ticket_id:eq:T01' OR '1'='1 | 0",
            })
    void filtersWithEveryOperatorAndBindsTheValue(String filter, long expected) throws Exception {
        // when
        JsonNode body = json(dashboard.get("/api/views/helpdesk_tickets?filter=" + encode(filter)));

        // then
        assertThat(body.get("total").asLong()).isEqualTo(expected);
        assertThat(body.get("rows")).hasSize((int) Math.min(expected, 50));
    }

    @Test
    void combinesFiltersWithAnd() throws Exception {
        // when
        JsonNode body = json(dashboard.get("/api/views/helpdesk_tickets?filter=" + encode("status:eq:Closed")
                + "&filter=" + encode("event_count:ge:5")));

        // then: tickets 3, 6, ... 30 are closed; of them those with i % 7 >= 4
        long expected = IntStream.rangeClosed(1, TICKETS)
                .filter(i -> i % 3 == 0 && eventCount(i) >= 5)
                .count();
        assertThat(body.get("total").asLong()).isEqualTo(expected);
    }

    @Test
    void exportsTheFilteredSortedRowsAsCsv() throws Exception {
        // when
        HttpResponse<String> response =
                dashboard.get("/api/views/helpdesk_tickets.csv?sort=-ticket_id&filter=" + encode("event_count:eq:7"));

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/csv"));
        assertThat(response.body().split("\r\n"))
                .containsExactly(
                        "ticket_id,status,opened_at,last_event_at,event_count",
                        "T27,Closed,2012-01-27T08:00:00Z,2012-03-27T08:00:00Z,7",
                        "T20,Resolve ticket,2012-01-20T08:00:00Z,2012-03-20T08:00:00Z,7",
                        "T13,Resolve ticket,2012-01-13T08:00:00Z,2012-03-13T08:00:00Z,7",
                        "T06,Closed,2012-01-06T08:00:00Z,2012-03-06T08:00:00Z,7");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "/api/views/helpdesk_ticket",
                "/api/views/pg_user",
                "/api/views/projection_offsets/columns",
                "/api/views/secret.csv",
            })
    void answersNotFoundForAnyViewThatIsNotDocumented(String path) throws Exception {
        // when
        HttpResponse<String> response = dashboard.get(path);

        // then
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problems.MEDIA_TYPE);
        assertThat(json(response).get("type").asText()).isEqualTo("urn:polyglot:problem:not-found");
    }

    @ParameterizedTest(name = "{0} names {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "page=-1 | page",
                "page=x | page",
                "page=99999999999 | page",
                "page=1&page=2 | page",
                "size=0 | size",
                "size=1001 | size",
                "size=ten | size",
                // digits of other scripts, a sign, spaces and overflow are no whole number, however Java reads them
                "page=%EF%BC%95 | page",
                "size=%D9%A2 | size",
                "page=%EF%BC%95&size=%D9%A2 | page",
                "page=%2B1 | page",
                "size=+2 | size",
                "page=-0 | page",
                "size=%202 | size",
                "page=99999999999999999999 | page",
                "page= | page",
                "sort=nope | sort",
                "sort=-nope | sort",
                "sort=ticket_id,-ticket_id | sort",
                "sort=ticket_id%3B+DROP+TABLE+x | sort",
                "sort=a&sort=b | sort",
                "filter=nocolons | filter",
                "filter=ticket_id%3Aeq | filter",
                "filter=nope%3Aeq%3A1 | filter",
                "filter=ticket_id%3Alike%3A1 | filter",
                "filter=event_count%3Agt%3Aabc | filter",
                "filter=opened_at%3Alt%3Asomeday | filter",
                "limit=5 | limit",
            })
    void refusesEveryBadParameterNamingIt(String query, String parameter) throws Exception {
        // when
        HttpResponse<String> response = dashboard.get("/api/views/helpdesk_tickets?" + query);

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problems.MEDIA_TYPE);
        JsonNode problem = json(response);
        assertThat(problem.get("type").asText()).isEqualTo("urn:polyglot:problem:invalid-parameter");
        assertThat(problem.get("parameter").asText()).isEqualTo(parameter);
        assertThat(problem.get("status").asInt()).isEqualTo(400);
    }

    @Test
    void refusesPagingParametersOnTheExport() throws Exception {
        // when
        HttpResponse<String> response = dashboard.get("/api/views/helpdesk_tickets.csv?page=1");

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("parameter").asText()).isEqualTo("page");
    }

    @Test
    void servesEveryDocumentedViewWithTheColumnsItHas() throws Exception {
        // when
        JsonNode views = json(dashboard.get("/api/views"));

        // then
        assertThat(views).hasSize(io.polyglot.dashboard.views.ViewCatalog.VIEWS.size());
        for (JsonNode view : views) {
            HttpResponse<String> page = dashboard.get(view.get("url").asText() + "?size=1");
            assertThat(page.statusCode()).as(view.toString()).isEqualTo(200);
            assertThat(json(page).has("total")).isTrue();
        }
    }

    private static List<String> column(JsonNode rows, String name) {
        return StreamSupport.stream(rows.spliterator(), false)
                .map(row -> row.get(name).asText())
                .toList();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
