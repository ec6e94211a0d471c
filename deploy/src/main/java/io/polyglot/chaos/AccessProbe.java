package io.polyglot.chaos;

import io.polyglot.deploy.ComponentStatus;
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

/**
 * Asks every service of the run's stack, after the faults, whether it still wants the stack's token: a guarded route
 * of each (the command service's aggregate route, each worker's {@code /admin/dead-letters}) without a token, with a
 * wrong one and with a garbled header must get 401, with the token it must not; {@code /health/ready} answers
 * without one. Every request goes to 127.0.0.1, to the ports the stack reports.
 */
final class AccessProbe {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Map<String, String> GUARDED = Map.of(
            "command-service", "/v1/aggregates/HelpdeskTicket/Case%201",
            "archiver-worker", "/admin/dead-letters",
            "projection-worker", "/admin/dead-letters");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What was asked and what went wrong: empty {@code wrong} when every service kept its door. */
    record Outcome(int asked, List<String> wrong) {}

    /** Probes each service of {@code components} that {@link #GUARDED} names, with {@code token} as the right one. */
    Outcome probe(List<ComponentStatus> components, String token) throws InterruptedException {
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("no Authorization", null);
        refused.put("a wrong token", "Bearer " + token + "x");
        refused.put("the token without its scheme", token);
        refused.put("another scheme", "Basic " + token);
        int asked = 0;
        List<String> wrong = new ArrayList<>();
        for (ComponentStatus component : components) {
            String path = GUARDED.get(component.name());
            if (path == null) {
                continue;
            }
            String base = "http://127.0.0.1:" + component.port();
            for (Map.Entry<String, String> attempt : refused.entrySet()) {
                asked++;
                int status = status(base + path, attempt.getValue());
                if (status != 401) {
                    wrong.add(component.name() + " answered " + status + " to " + attempt.getKey());
                }
            }
            asked += 2;
            int allowed = status(base + path, "Bearer " + token);
            if (allowed == 401 || allowed < 0) {
                wrong.add(component.name() + " answered " + allowed + " to its token");
            }
            int health = status(base + "/health/ready", null);
            if (health != 200) {
                wrong.add(component.name() + " answered " + health + " to /health/ready without a token");
            }
        }
        return new Outcome(asked, wrong);
    }

    /** The status of a GET, or -1 when the service did not answer. */
    private int status(String url, String authorization) throws InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        }
    }
}
