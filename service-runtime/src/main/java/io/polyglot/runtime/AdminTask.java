package io.polyglot.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long operator task that a worker runs in the background behind its admin routes, such as a read-model rebuild or
 * an archive verification: one run at a time (a second start answers 409 while one runs), and the state of the latest
 * run for whoever asks: {@code state} ({@code running}, {@code succeeded}, {@code failed}), the {@code request},
 * {@code startedAt}, {@code endedAt}, the {@code progress} so far, the {@code result} or the {@code error}. The state
 * lives in the process: a restart forgets it.
 */
public final class AdminTask implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminTask.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One run of the task, made on the task's own thread when the run starts. */
    public interface Execution {

        /** What the run has done so far; asked from other threads whenever someone reads the state. */
        Map<String, Object> progress();

        /** Runs to the end and answers the result; an exception fails the run with its message. */
        Map<String, Object> run() throws Exception;
    }

    private final String name;
    private final Clock clock;
    private final ExecutorService thread;
    private volatile Map<String, Object> request;
    private volatile Execution execution;
    private volatile String state;
    private volatile Instant startedAt;
    private volatile Instant endedAt;
    private volatile Map<String, Object> result;
    private volatile String error;

    /** A task called {@code name} in logs and errors, such as {@code rebuild}. */
    public AdminTask(String name, Clock clock) {
        this.name = name;
        this.clock = clock;
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread named = new Thread(runnable, "admin-" + name);
            named.setDaemon(true);
            return named;
        });
    }

    /**
     * Starts a run in the background: 202 with its state, or 409 while another run of this task has not ended.
     *
     * @param request what was asked, shown with the state
     * @param execution makes the run, on the task's thread
     */
    public synchronized AdminResponse start(Map<String, Object> request, Supplier<Execution> execution) {
        if ("running".equals(state)) {
            return AdminResponse.problem(
                    409,
                    "conflict",
                    "a " + name + " runs already since " + startedAt
                            + "; GET its latest state and start another once it has ended");
        }
        this.request = Map.copyOf(request);
        this.execution = null;
        this.state = "running";
        this.startedAt = clock.instant();
        this.endedAt = null;
        this.result = null;
        this.error = null;
        thread.execute(() -> runToTheEnd(execution));
        log.info("Admin task started (task={}, request={})", name, request);
        return new AdminResponse(202, json(status()));
    }

    /** 200 with the state of the latest run, 404 before the first. */
    public AdminResponse latest() {
        if (state == null) {
            return AdminResponse.problem(404, "not-found", "no " + name + " has run since this process started");
        }
        return AdminResponse.ok(json(status()));
    }

    /** Whether a run has not ended yet. */
    public boolean running() {
        return "running".equals(state);
    }

    private void runToTheEnd(Supplier<Execution> maker) {
        try {
            execution = maker.get();
            Map<String, Object> done = execution.run();
            result = done;
            finish("succeeded");
        } catch (Exception e) {
            log.warn("Admin task failed (task={})", name, e);
            error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            finish("failed");
        }
    }

    private synchronized void finish(String outcome) {
        endedAt = clock.instant();
        state = outcome;
        log.info("Admin task ended (task={}, state={})", name, outcome);
    }

    private Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("state", state);
        status.put("request", request);
        status.put("startedAt", startedAt == null ? null : startedAt.toString());
        status.put("endedAt", endedAt == null ? null : endedAt.toString());
        Execution current = execution;
        status.put("progress", current == null ? Map.of() : safely(current));
        status.put("result", result);
        status.put("error", error);
        return status;
    }

    private static Map<String, Object> safely(Execution execution) {
        try {
            return execution.progress();
        } catch (RuntimeException e) {
            return Map.of("unavailable", String.valueOf(e.getMessage()));
        }
    }

    private static String json(Map<String, Object> body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an admin task's state is always JSON", e);
        }
    }

    /** Stops waiting for a run; the run itself ends with the process. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
