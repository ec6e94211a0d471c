package io.polyglot.dashboard.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.dashboard.SampleEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dead-letter page in headless Chromium against the stack that imported the helpdesk log: an event the test puts
 * on {@code events.all} whose payload schema nobody has published yet is dead-lettered by both workers; once the
 * schema is in the {@code schemas} topic, Retry from the page folds it into the projection exactly once. The test
 * leaves a screenshot in {@code target/screenshots/}, and the archiver's dead letter retried too, so the classes that
 * share the stack after it find every event in the archive as well as in the read model.
 */
@ExtendWith(BrowserSession.Shared.class)
class DeadLettersBrowserTest {

    private static final Duration RETRY = Duration.ofMinutes(3);
    private static final String PROJECTION = "polyglot-projection";
    private static final String ARCHIVER = "polyglot-archiver";

    private final BrowserSession session = BrowserSession.current();
    private final HelpdeskStack stack = session.stack();
    private final ChromeDriver driver = session.driver();
    private RecordMetadata appended;

    @Test
    void showsADeadLetterOfEachGroupWithItsHeadersAndARetryFromThePageAppliesItOnce(TestInfo test) throws Exception {
        // given: the last ticket gets a next event written with a payload schema only published later
        String ticket = String.valueOf(
                stack.query("SELECT ticket_id FROM public.helpdesk_tickets ORDER BY ticket_id DESC LIMIT 1")
                        .get(0));
        long before = eventCount(ticket);
        try (SampleEvents events = new SampleEvents(stack.kafkaBootstrapServers())) {
            appended = events.append(
                    "HelpdeskTicket",
                    ticket,
                    SampleEvents.newerEvent(
                            "HelpdeskTicket", ticket, before + 1, "Closed", Instant.parse("2014-01-01T00:00:00Z")));
        }
        driver.get(stack.dashboardUrl() + "/dead-letters");
        await().ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                .atMost(BrowserSession.WAIT)
                .until(() -> {
                    driver.findElement(By.id("refresh")).click();
                    return row(PROJECTION, appended) != null && row(ARCHIVER, appended) != null;
                });
        WebElement letter = row(PROJECTION, appended);
        assertThat(cell(letter, "source")).contains("events.all " + appended.partition() + "@" + appended.offset());
        assertThat(cell(letter, "error-text")).contains("UnknownSchemaException");
        assertThat(cell(letter, "resolution")).isEqualTo("pending");
        assertThat(eventCount(ticket)).isEqualTo(before);

        // when: the schema is published and the projection's dead letter retried from the page, twice
        try (SampleEvents events = new SampleEvents(stack.kafkaBootstrapServers())) {
            events.publishTheNewerSchema();
        }
        letter.findElement(By.cssSelector("button.retry")).click();
        await().ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                .atMost(RETRY)
                .until(() -> answer(PROJECTION, appended).startsWith("retry: 200"));
        String first = answer(PROJECTION, appended);
        long afterFirst = eventCount(ticket);
        row(PROJECTION, appended).findElement(By.cssSelector("button.retry")).click();
        await().ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                .atMost(RETRY)
                .until(() -> answer(PROJECTION, appended).contains("\"appliedNow\":false"));

        // then: the ticket counts the event once, after the first retry and after the second alike
        session.browser().screenshot(test.getTestMethod().orElseThrow().getName());
        assertThat(first).contains("\"appliedNow\":true");
        assertThat(afterFirst).isEqualTo(before + 1);
        assertThat(eventCount(ticket)).isEqualTo(before + 1);
        assertThat(cell(row(PROJECTION, appended), "resolution")).isEqualTo("retried");
        assertThat(cell(row(ARCHIVER, appended), "resolution")).isEqualTo("pending");
    }

    @AfterEach
    void archivesTheDeadLetterForTheClassesThatShareTheStack() {
        // A pending dead letter leaves the archive one event short of the read model: an archive verification run
        // after this class would count one event fewer than the projection applied.
        if (appended == null || row(ARCHIVER, appended) == null) {
            return;
        }
        row(ARCHIVER, appended).findElement(By.cssSelector("button.retry")).click();
        await().ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                .atMost(RETRY)
                .until(() -> answer(ARCHIVER, appended).startsWith("retry: 200"));
    }

    private long eventCount(String ticket) throws Exception {
        List<Object> counts = stack.query("SELECT event_count FROM public.helpdesk_tickets WHERE ticket_id = '"
                + ticket.replace("'", "''") + "'");
        return ((Number) counts.get(0)).longValue();
    }

    /** The row of {@code group}'s dead letter of {@code source}, or null while the page shows none. */
    private WebElement row(String group, RecordMetadata source) {
        List<WebElement> rows = driver.findElements(By.cssSelector("#dead-letters tbody tr[data-group='" + group
                + "'][data-source-partition='" + source.partition() + "'][data-source-offset='" + source.offset()
                + "']"));
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static String cell(WebElement row, String className) {
        return row.findElement(By.cssSelector("td." + className)).getText();
    }

    private String answer(String group, RecordMetadata source) {
        WebElement row = row(group, source);
        if (row == null) {
            return "";
        }
        List<WebElement> answers = row.findElements(By.cssSelector("pre.answer"));
        return answers.isEmpty() ? "" : answers.get(0).getText();
    }
}
