package io.polyglot.dashboard.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The events page in headless Chromium against the stack that imported the helpdesk log: one ticket's events in
 * version order, as many as PostgreSQL's {@code helpdesk_tickets.event_count} says it has, with the command service's
 * head state; and a partition of {@code events.all} paged through. Each test leaves a screenshot in
 * {@code target/screenshots/}.
 */
@ExtendWith(BrowserSession.Shared.class)
class EventsBrowserTest {

    private static final Duration WAIT = BrowserSession.WAIT;

    private final BrowserSession session = BrowserSession.current();
    private final HelpdeskStack stack = session.stack();
    private final ChromeDriver driver = session.driver();

    @Test
    void listsOneTicketsEventsInVersionOrderAsManyAsTheProjectionCounted(TestInfo test) throws Exception {
        // given: the first ticket with at least four events
        String ticket =
                String.valueOf(stack.query("SELECT ticket_id FROM public.helpdesk_tickets WHERE event_count >= 4"
                                + " ORDER BY ticket_id LIMIT 1")
                        .get(0));
        long events = ((Number) stack.query("SELECT event_count FROM public.helpdesk_tickets WHERE ticket_id = '"
                                + ticket.replace("'", "''") + "'")
                        .get(0))
                .longValue();

        // when
        driver.get(stack.dashboardUrl() + "/events");
        driver.findElement(By.id("aggregate-id")).sendKeys(ticket);
        driver.findElement(By.id("find")).click();

        // then
        await().ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                .atMost(WAIT)
                .until(() -> rows("#events tbody tr").size() == events);
        session.browser().screenshot(test.getTestMethod().orElseThrow().getName());
        assertThat(rows("#events tbody tr"))
                .extracting(row -> Long.parseLong(row.getAttribute("data-version")))
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, events).boxed().toList());
        assertThat(driver.findElement(By.id("head")).getText())
                .contains("\"aggregateId\": \"" + ticket + "\"")
                .contains("\"version\": " + events);
        assertThat(driver.findElement(By.id("scan")).getText()).contains("the whole partition");
    }

    @Test
    void pagesThroughAPartitionOfEventsAllWithNextAndPrevious(TestInfo test) throws Exception {
        // given
        driver.get(stack.dashboardUrl() + "/events");
        new Select(driver.findElement(By.id("size"))).selectByVisibleText("10");
        driver.findElement(By.id("load")).click();
        await().ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                .atMost(WAIT)
                .until(() -> rows("#records tbody tr").size() == 10);
        List<Long> first = offsets();

        // when
        driver.findElement(By.id("next")).click();
        await().ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                .atMost(WAIT)
                .until(() -> !offsets().isEmpty() && offsets().get(0) > first.get(9));
        List<Long> second = offsets();
        driver.findElement(By.id("previous")).click();
        await().ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                .atMost(WAIT)
                .until(() -> offsets().equals(first));

        // then: the first page starts at the partition's first offset and the second goes on after it
        session.browser().screenshot(test.getTestMethod().orElseThrow().getName());
        assertThat(first.get(0)).isZero();
        assertThat(second).hasSize(10).isSorted();
        assertThat(second.get(0)).isGreaterThan(first.get(9));
        assertThat(driver.findElement(By.cssSelector("#records tbody tr td:nth-child(5)"))
                        .getText())
                .contains("\"aggregateType\": \"HelpdeskTicket\"");
    }

    private List<WebElement> rows(String selector) {
        return driver.findElements(By.cssSelector(selector));
    }

    private List<Long> offsets() {
        return rows("#records tbody tr").stream()
                .map(row -> Long.parseLong(row.getAttribute("data-offset")))
                .toList();
    }
}
