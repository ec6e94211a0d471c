package io.polyglot.dashboard.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;

/**
 * The dashboard in headless Chromium against a stack that imported the helpdesk log through the HTTP API: the
 * overview with every process healthy and no lag; the data grid's total, column layout kept across reloads, and
 * server-side sorting, each checked against PostgreSQL. Each test leaves a screenshot in {@code target/screenshots/}.
 */
@ExtendWith(BrowserSession.Shared.class)
class DashboardBrowserTest {

    private static final Duration WAIT = BrowserSession.WAIT;

    private final BrowserSession session = BrowserSession.current();
    private final HelpdeskStack stack = session.stack();
    private final Browser browser = session.browser();
    private static ChromeDriver driver;

    @BeforeAll
    static void useTheSharedBrowser() {
        driver = BrowserSession.current().driver();
    }

    @BeforeEach
    void openTheTicketsWithTheirDefaultLayout() {
        // Tabulator keeps each view's layout in local storage; every test starts from the view's own column order.
        driver.get(stack.dashboardUrl() + "/grid?view=helpdesk_tickets");
        driver.executeScript("window.localStorage.clear()");
        driver.navigate().refresh();
        openTickets();
    }

    @Test
    void showsEveryProcessHealthyAndNoLagOnceTheImportIsArchivedAndProjected(TestInfo test) throws Exception {
        // when
        driver.get(stack.dashboardUrl() + "/overview");

        // then: the archiver seals its last segments once they have been idle for SEGMENT_MAX_IDLE
        await().atMost(Duration.ofSeconds(90))
                .until(() -> "0".equals(driver.findElement(By.id("total-lag")).getText()));
        await().atMost(WAIT)
                .until(() -> driver.findElement(By.id("archive")).getText().contains("HelpdeskTicket"));
        browser.screenshot(test.getTestMethod().orElseThrow().getName());
        assertThat(driver.findElements(By.cssSelector("#processes tbody tr")).stream()
                        .map(row -> row.getAttribute("data-process") + " "
                                + row.findElements(By.tagName("td")).get(1).getText()))
                .containsExactly("command-service up", "archiver-worker up", "projection-worker up", "dashboard up");
        List<WebElement> partitions = driver.findElements(By.cssSelector("#lag tbody tr"));
        assertThat(partitions).hasSize(12);
        assertThat(partitions)
                .extracting(row -> row.findElement(By.cssSelector("td.lag")).getText())
                .containsOnly("0");
    }

    @Test
    void drawsTheEventRateAndTheLagFromTheServerSentSamples(TestInfo test) throws Exception {
        // when
        driver.get(stack.dashboardUrl() + "/overview");

        // then: each chart has points, one per sample the stream sent since the dashboard started
        await().atMost(Duration.ofSeconds(90))
                .until(() -> chartPoints("rate-chart") > 1 && chartPoints("lag-chart") > 1);
        browser.screenshot(test.getTestMethod().orElseThrow().getName());
        assertThat(chartPoints("rate-chart")).isGreaterThan(1);
    }

    @Test
    void showsEveryHelpdeskTicketInTheTotal(TestInfo test) throws Exception {
        // when
        String total = driver.findElement(By.id("total")).getText();

        // then
        browser.screenshot(test.getTestMethod().orElseThrow().getName());
        assertThat(total).isEqualTo(Long.toString(HelpdeskStack.HELPDESK_TICKETS));
        assertThat(stack.query("SELECT count(*) FROM public.helpdesk_tickets"))
                .containsExactly(HelpdeskStack.HELPDESK_TICKETS);
        assertThat(driver.findElement(By.cssSelector("#grid .tabulator-page-counter"))
                        .getText())
                .contains("of " + HelpdeskStack.HELPDESK_TICKETS);
    }

    @Test
    void keepsAHiddenColumnAndAColumnDraggedToTheFrontAcrossAReload(TestInfo test) throws Exception {
        // given
        assertThat(visibleColumns())
                .containsExactly("ticket_id", "status", "opened_at", "last_event_at", "event_count");

        // when: status is hidden with the column chooser, event_count dragged onto the left half of ticket_id
        driver.findElement(By.cssSelector("#columns summary")).click();
        driver.findElement(By.cssSelector("#column-chooser input[data-column='status']"))
                .click();
        driver.findElement(By.cssSelector("#columns summary")).click();
        WebElement moved = header("event_count").findElement(By.className("tabulator-col-title"));
        WebElement first = header("ticket_id");
        new Actions(driver)
                .clickAndHold(moved)
                .moveByOffset(-10, 0)
                .moveToElement(first, -first.getSize().getWidth() / 2 + 5, 0)
                .moveByOffset(-2, 0)
                .release()
                .perform();
        await().atMost(WAIT).until(() -> visibleColumns().get(0).equals("event_count"));
        driver.navigate().refresh();
        openTickets();

        // then
        browser.screenshot(test.getTestMethod().orElseThrow().getName());
        assertThat(visibleColumns()).containsExactly("event_count", "ticket_id", "opened_at", "last_event_at");
        assertThat(driver.findElement(By.cssSelector("#column-chooser input[data-column='status']"))
                        .isSelected())
                .isFalse();
    }

    @Test
    void sortsByEventCountDescendingWithATicketOfTheMostEventsFirst(TestInfo test) throws Exception {
        // given
        long most = ((Number) stack.query("SELECT max(event_count) FROM public.helpdesk_tickets")
                        .get(0))
                .longValue();
        List<String> ticketsWithTheMost =
                stack.query("SELECT ticket_id FROM public.helpdesk_tickets WHERE event_count = " + most).stream()
                        .map(String::valueOf)
                        .toList();

        // when: the first click sorts ascending, the second descending
        WebElement title = header("event_count").findElement(By.className("tabulator-col-title"));
        title.click();
        await().atMost(WAIT)
                .until(() -> "asc".equals(header("event_count").getAttribute("aria-sort"))
                        || "ascending".equals(header("event_count").getAttribute("aria-sort")));
        header("event_count").findElement(By.className("tabulator-col-title")).click();
        await().atMost(WAIT).until(() -> firstRowCell("event_count").equals(Long.toString(most)));

        // then
        browser.screenshot(test.getTestMethod().orElseThrow().getName());
        assertThat(firstRowCell("event_count")).isEqualTo(Long.toString(most));
        assertThat(ticketsWithTheMost).contains(firstRowCell("ticket_id"));
    }

    private static long chartPoints(String chart) {
        Object points = driver.executeScript(
                "const chart = echarts.getInstanceByDom(document.getElementById(arguments[0]));"
                        + " return chart ? chart.getOption().series.reduce((n, s) => n + s.data.length, 0) : 0;",
                chart);
        return ((Number) points).longValue();
    }

    private static void openTickets() {
        await().atMost(WAIT)
                .until(() -> driver.findElement(By.id("total")).getText().matches("\\d+") && !rows().isEmpty());
    }

    private static List<WebElement> rows() {
        return driver.findElements(By.cssSelector("#grid .tabulator-row"));
    }

    private static WebElement header(String field) {
        return driver.findElement(By.cssSelector("#grid .tabulator-col[tabulator-field='" + field + "']"));
    }

    private static String firstRowCell(String field) {
        return rows().get(0)
                .findElement(By.cssSelector(".tabulator-cell[tabulator-field='" + field + "']"))
                .getText();
    }

    private static List<String> visibleColumns() {
        return driver.findElements(By.cssSelector("#grid .tabulator-headers .tabulator-col")).stream()
                .filter(WebElement::isDisplayed)
                .map(column -> column.getAttribute("tabulator-field"))
                .collect(Collectors.toList());
    }
}
