package io.polyglot.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A worker's background admin task: one run at a time, and the latest run's state, progress, result or error. */
class AdminTaskTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AdminTask task = new AdminTask("rebuild", Clock.systemUTC());
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicLong done = new AtomicLong();

    @AfterEach
    void endTheRun() {
        release.countDown();
        task.close();
    }

    @Test
    void answersNotFoundBeforeTheFirstRun() {
        assertThat(task.latest().status()).isEqualTo(404);
    }

    @Test
    void refusesASecondStartWith409WhileARunHasNotEnded() throws Exception {
        // given
        assertThat(task.start(Map.of(), this::heldRun).status()).isEqualTo(202);

        // when
        AdminResponse second = task.start(Map.of(), this::heldRun);

        // then
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json()).contains("urn:polyglot:problem:conflict");
        assertThat(state().path("state").asText()).isEqualTo("running");
    }

    @Test
    void showsTheProgressOfARunningRunAndItsResultOnceItSucceeded() throws Exception {
        // given
        task.start(Map.of("views", "all"), this::heldRun);
        done.set(7);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> state().path("progress").path("done").asLong() == 7);

        // when
        release.countDown();

        // then
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "succeeded".equals(state().path("state").asText()));
        JsonNode state = state();
        assertThat(state.path("request").path("views").asText()).isEqualTo("all");
        assertThat(state.path("result").path("rows").asLong()).isEqualTo(42);
        assertThat(state.path("endedAt").isTextual()).isTrue();
        assertThat(task.start(Map.of(), this::heldRun).status()).isEqualTo(202);
    }

    @Test
    void reportsAFailedRunWithItsError() throws Exception {
        // when
        task.start(Map.of(), () -> new AdminTask.Execution() {
            @Override
            public Map<String, Object> progress() {
                return Map.of();
            }

            @Override
            public Map<String, Object> run() {
                throw new IllegalStateException("another rebuild holds the lock");
            }
        });

        // then
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "failed".equals(state().path("state").asText()));
        assertThat(state().path("error").asText()).isEqualTo("another rebuild holds the lock");
    }

    private JsonNode state() throws Exception {
        return JSON.readTree(task.latest().json());
    }

    private AdminTask.Execution heldRun() {
        return new AdminTask.Execution() {
            @Override
            public Map<String, Object> progress() {
                return Map.of("done", done.get());
            }

            @Override
            public Map<String, Object> run() throws InterruptedException {
                release.await(1, TimeUnit.MINUTES);
                return Map.of("rows", 42);
            }
        };
    }
}
