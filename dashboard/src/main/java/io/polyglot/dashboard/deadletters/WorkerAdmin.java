package io.polyglot.dashboard.deadletters;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.runtime.AdminResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dead-letter admin endpoints of the workers that own the consumer groups, on their health ports, asked with the
 * stack's token: {@code GET /admin/dead-letters} for the resolutions, {@code POST
 * /admin/dead-letters/{partition}/{offset}/retry|skip} for a decision.
 */
final class WorkerAdmin {

    static final String ARCHIVER_GROUP = "polyglot-archiver";
    static final String PROJECTION_GROUP = "polyglot-projection";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/admin/dead-letters";

    private final Map<String, String> baseUrls;
    private final String token;
    private final Duration listTimeout;
    private final Duration actionTimeout;
    private final HttpClient http = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** {@code baseUrls}: each group with the base URL of its worker's health endpoint. */
    WorkerAdmin(Map<String, String> baseUrls, String token, Duration listTimeout, Duration actionTimeout) {
        this.baseUrls = new LinkedHashMap<>(baseUrls);
        this.token = token;
        this.listTimeout = listTimeout;
        this.actionTimeout = actionTimeout;
    }

    boolean owns(String group) {
        return baseUrls.containsKey(group);
    }

    /**
     * What one worker said about its group's dead letters.
     *
     * @param url the listing's URL
     * @param resolutions each dead letter's resolution by source topic, partition and offset
     * @param problem why the worker could not be asked, or null
     */
    record Listing(String url, Map<String, String> resolutions, String problem) {

        ObjectNode describe() {
            return JSON.createObjectNode().put("url", url).put("problem", problem);
        }

        /** The resolution of {@code letter} (a dead letter's JSON with its source fields), as the worker reports it. */
        String resolution(ObjectNode letter) {
            if (problem != null) {
                return "unknown";
            }
            String key = letter.path("sourceTopic").asText() + "/"
                    + letter.path("sourcePartition").asText() + "/"
                    + letter.path("sourceOffset").asText();
            return resolutions.getOrDefault(key, "not listed by the worker");
        }
    }

    /** Every worker's listing, in the order of the groups. */
    Map<String, Listing> listings() {
        Map<String, Listing> listings = new LinkedHashMap<>();
        baseUrls.forEach((group, baseUrl) -> listings.put(group, listing(baseUrl + PATH)));
        return listings;
    }

    private Listing listing(String url) {
        HttpRequest request = request(url, listTimeout).GET().build();
        try {
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                return new Listing(url, Map.of(), "answered " + answer.statusCode() + " " + answer.body());
            }
            return new Listing(url, resolutions(JSON.readTree(answer.body())), null);
        } catch (JsonProcessingException e) {
            return new Listing(url, Map.of(), "answered no JSON listing: " + e.getOriginalMessage());
        } catch (IOException e) {
            return new Listing(url, Map.of(), "did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Listing(url, Map.of(), "interrupted while asking");
        }
    }

    private static Map<String, String> resolutions(JsonNode listing) {
        Map<String, String> resolutions = new HashMap<>();
        String topic = listing.path("topic").asText();
        for (JsonNode letter : listing.path("deadLetters")) {
            String key = topic + "/" + letter.path("partition").asText() + "/"
                    + letter.path("offset").asText();
            resolutions.put(key, letter.path("resolution").asText());
        }
        return resolutions;
    }

    /** {@code POST /admin/dead-letters/{action}} to the worker of {@code group}; its answer, or a problem. */
    AdminResponse decide(String group, String action) {
        String url = baseUrls.get(group) + PATH + "/" + action;
        HttpRequest request = request(url, actionTimeout)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 401 || answer.statusCode() == 403) {
                return AdminResponse.problem(
                        502, "worker-refused-token", "the worker of " + group + " refused the dashboard's token");
            }
            return new AdminResponse(answer.statusCode(), answer.body());
        } catch (HttpTimeoutException e) {
            return AdminResponse.problem(
                    504, "worker-timeout", "the worker of " + group + " did not answer within " + actionTimeout);
        } catch (IOException e) {
            return AdminResponse.problem(
                    502, "worker-unreachable", "the worker of " + group + " at " + url + " did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AdminResponse.problem(503, "interrupted", "interrupted while asking the worker of " + group);
        }
    }

    private HttpRequest.Builder request(String url, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
        if (!token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }
}
