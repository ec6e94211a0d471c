package io.polyglot.dashboard.overview;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Asks each process of the pipeline for its {@code /health/ready}, which needs no token. */
final class ProcessProbe {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(TIMEOUT)
            .build();
    private final Map<String, String> baseUrls;
    private final String selfName;
    private final String selfUrl;
    private final BooleanSupplier selfReady;

    /**
     * {@code baseUrls}: each other process by name, with the base URL its health endpoint answers on; the dashboard
     * itself is asked in process ({@code selfReady}), so a busy thread pool cannot make it look unreachable to itself.
     */
    ProcessProbe(Map<String, String> baseUrls, String selfName, String selfUrl, BooleanSupplier selfReady) {
        this.baseUrls = new LinkedHashMap<>(baseUrls);
        this.selfName = selfName;
        this.selfUrl = selfUrl;
        this.selfReady = selfReady;
    }

    /**
     * One process's health.
     *
     * @param name the process
     * @param url its readiness URL
     * @param health {@code up} (200), {@code down} (any other answer) or {@code unreachable}
     */
    record ProcessHealth(String name, String url, String health) {}

    List<ProcessHealth> probe() {
        List<ProcessHealth> health = new ArrayList<>();
        baseUrls.forEach((name, url) -> health.add(probe(name, url + "/health/ready")));
        health.add(new ProcessHealth(selfName, selfUrl + "/health/ready", selfReady.getAsBoolean() ? "up" : "down"));
        return List.copyOf(health);
    }

    private ProcessHealth probe(String name, String url) {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build();
        try {
            int status =
                    client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return new ProcessHealth(name, url, status == 200 ? "up" : "down");
        } catch (IOException e) {
            return new ProcessHealth(name, url, "unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProcessHealth(name, url, "unreachable");
        }
    }
}
