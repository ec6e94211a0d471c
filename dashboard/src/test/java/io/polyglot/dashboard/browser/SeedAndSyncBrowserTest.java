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
 * seeded from the page through the importer and the command service, checked in PostgreSQL. Each test leaves a
 * screenshot in {@code target/screenshots/}.
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
        await().atMost(Duration.ofMinutes(3)).until(() -> !"running".equals(text("seed-state")));
        assertThat(text("seed-state")).as(text("seed-messages")).isEqualTo("succeeded");
        await().atMost(Duration.ofMinutes(2))
                .until(() ->
                        stack.query("SELECT count(*) FROM public.weather_daily").equals(List.of(WEATHER_STATION_DAYS)));
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
