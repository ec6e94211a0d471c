package io.polyglot.dashboard.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The Seed and Sync pages in headless Chromium against the shared stack (helpdesk log imported): the weather log
 * seeded from the page through the importer and the command service, checked in PostgreSQL; a rebuild and an archive
 * verification started from the Sync page, each followed to its end. Each test leaves a screenshot in {@code
 * target/screenshots/}.
 */
@ExtendWith(BrowserSession.Shared.class)
class SeedAndSyncBrowserTest {

    private static final Duration WAIT = BrowserSession.WAIT;
    private static final long WEATHER_READINGS = 26_115;
    private static final long WEATHER_STATION_DAYS = 1_092;

    private final BrowserSession session = BrowserSession.current();
    private final HelpdeskStack stack = session.stack();
    private final Browser browser = session.browser();
    private static ChromeDriver driver;

    @BeforeAll
    static void useTheSharedBrowser() {
        driver = BrowserSession.current().driver();
    }

    @Test
    void seedsTheWeatherLogFromThePageUpToTheImportersSummaryAndTheDailyCounts(TestInfo test) throws Exception {
        // given
        driver.get(stack.dashboardUrl() + "/seed");
        await().atMost(WAIT).until(() -> options("seed-file").contains("weather/weather.csv.gz"));

        // when
        new Select(driver.findElement(By.id("seed-file"))).selectByValue("weather/weather.csv.gz");
        driver.findElement(By.id("seed-type")).sendKeys("WeatherStation");
        driver.findElement(By.id("seed-case-column")).sendKeys("origin");
        driver.findElement(By.id("seed-time-column")).sendKeys("time_hour");
        driver.findElement(By.id("seed-activity")).sendKeys("WeatherObserved");
        driver.findElement(By.id("seed-start")).click();

        // then
        // The state shows once the start is answered (an idle page shows none), so wait for one an import ends in.
        await().atMost(Duration.ofMinutes(3))
                .until(() -> List.of("succeeded", "failed", "cancelled").contains(text("seed-state")));
        assertThat(text("seed-state")).as(text("seed-messages")).isEqualTo("succeeded");
        await().atMost(Duration.ofMinutes(2))
                .until(() ->
                        stack.query("SELECT count(*) FROM public.weather_daily").equals(List.of(WEATHER_STATION_DAYS)));
        driver.executeScript("document.getElementById('seed-run').scrollIntoView()");
        browser.screenshot(test.getTestMethod().orElseThrow().getName());
        assertThat(text("seed-summary").replaceAll("\\s+", " "))
                .contains("read 26,115 events in 3 cases")
                .contains("accepted 26,115");
        assertThat(text("seed-accepted")).isEqualTo("26,115");
        assertThat(stack.query("SELECT sum(readings) FROM public.weather_daily")
                        .get(0)
                        .toString())
                .isEqualTo(Long.toString(WEATHER_READINGS));
    }

    @Test
    void rebuildsAChosenViewFromTheSyncPageToTheEnd(TestInfo test) throws Exception {
        // given
        driver.get(stack.dashboardUrl() + "/sync");
        await().atMost(WAIT)
                .until(() -> !driver.findElements(By.cssSelector("#rebuild-views input[value='helpdesk_tickets']"))
                        .isEmpty());

        // when
        driver.findElement(By.cssSelector("#rebuild-views input[value='helpdesk_tickets']"))
                .click();
        driver.findElement(By.id("rebuild-start")).click();

        // then
        await().atMost(Duration.ofMinutes(3)).until(() -> ended("rebuild-state"));
        browser.screenshot(test.getTestMethod().orElseThrow().getName());
        assertThat(text("rebuild-state")).as(text("rebuild-result")).isEqualTo("succeeded");
        assertThat(text("rebuild-result")).startsWith("Swapped in helpdesk_ticket;");
        assertThat(stack.query("SELECT count(*) FROM public.helpdesk_tickets"))
                .containsExactly(HelpdeskStack.HELPDESK_TICKETS);
    }

    @Test
    void verifiesTheArchiveFromTheSyncPageAndShowsItsCountsThereAndOnTheOverview(TestInfo test) throws Exception {
        // given every event archived and projected, so the archive covers all of events.all
        awaitNoLag();
        long events = ((Number) stack.query("SELECT (SELECT coalesce(sum(event_count), 0) FROM public.helpdesk_tickets)"
                                + " + (SELECT coalesce(sum(readings), 0) FROM public.weather_daily)")
                        .get(0))
                .longValue();
        driver.get(stack.dashboardUrl() + "/sync");

        // when
        await().atMost(WAIT)
                .until(() -> driver.findElement(By.id("verify-start")).isEnabled());
        driver.findElement(By.id("verify-start")).click();

        // then
        await().atMost(Duration.ofMinutes(3)).until(() -> ended("verification-state"));
        driver.executeScript("document.getElementById('verification').scrollIntoView()");
        browser.screenshot(test.getTestMethod().orElseThrow().getName());
        assertThat(text("verification-state")).as(text("verification-error")).isEqualTo("succeeded");
        assertThat(text("verification-sound"))
                .as(text("verification-problem-list"))
                .isEqualTo("yes");
        assertThat(text("verification-problems")).isEqualTo("0");
        assertThat(text("verification-events")).isEqualTo(String.format(java.util.Locale.US, "%,d", events));
        assertThat(Long.parseLong(text("verification-segments").replace(",", "")))
                .isPositive();
        driver.get(stack.dashboardUrl() + "/overview");
        await().atMost(WAIT).until(() -> text("last-verification").startsWith("sound at "));
        assertThat(text("last-verification")).contains(String.format(java.util.Locale.US, "%,d events", events));
    }

    /** Waits until every group has applied or stored everything, as the overview's total lag says. */
    private void awaitNoLag() {
        driver.get(stack.dashboardUrl() + "/overview");
        await().atMost(Duration.ofMinutes(2)).until(() -> "0".equals(text("total-lag")));
    }

    private static boolean ended(String stateId) {
        String state = text(stateId);
        return state.equals("succeeded") || state.equals("failed");
    }

    private static List<String> options(String selectId) {
        return driver.findElements(By.cssSelector("#" + selectId + " option")).stream()
                .map(option -> option.getAttribute("value"))
                .toList();
    }

    private static String text(String id) {
        WebElement element = driver.findElement(By.id(id));
        String text = element.getText();
        return text.isEmpty() ? String.valueOf(element.getAttribute("textContent")) : text;
    }
}
