package io.polyglot.dashboard.deadletters;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.dashboard.workers.WorkerAdmin;
import io.polyglot.runtime.AdminResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The workers that own the consumer groups, each asked through its {@link WorkerAdmin} client with the stack's token:
 * {@code GET /admin/dead-letters} for the resolutions, {@code POST /admin/dead-letters/{partition}/{offset}/retry|skip}
 * for a decision.
 */
final class DeadLetterOwners {

    static final String ARCHIVER_GROUP = "polyglot-archiver";
    static final String PROJECTION_GROUP = "polyglot-projection";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/admin/dead-letters";

    private final Map<String, WorkerAdmin> workers = new LinkedHashMap<>();
    private final Duration listTimeout;
    private final Duration actionTimeout;

    /** {@code baseUrls}: each group with the base URL of its worker's health endpoint. */
    DeadLetterOwners(
            Map<String, String> baseUrls, Optional<String> token, Duration listTimeout, Duration actionTimeout) {
        baseUrls.forEach((group, baseUrl) -> workers.put(group, new WorkerAdmin(group, baseUrl, token)));
        this.listTimeout = listTimeout;
        this.actionTimeout = actionTimeout;
    }

    boolean owns(String group) {
        return workers.containsKey(group);
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
        workers.forEach((group, worker) -> listings.put(group, listing(worker)));
        return listings;
    }

    private Listing listing(WorkerAdmin worker) {
        String url = worker.url(PATH);
        try {
            WorkerAdmin.Answer answer = worker.get(PATH, listTimeout);
            if (answer.status() != 200) {
                return new Listing(url, Map.of(), "answered " + answer.status() + " " + answer.body());
            }
            return new Listing(url, resolutions(JSON.readTree(answer.body())), null);
        } catch (JsonProcessingException e) {
            return new Listing(url, Map.of(), "answered no JSON listing: " + e.getOriginalMessage());
        } catch (WorkerAdmin.UnansweredException e) {
            String problem = e.interrupted() ? "interrupted while asking" : "did not answer: " + e.reason();
            return new Listing(url, Map.of(), problem);
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
        WorkerAdmin worker = workers.get(group);
        try {
            WorkerAdmin.Answer answer = worker.post(PATH + "/" + action, actionTimeout);
            if (answer.status() == 401 || answer.status() == 403) {
                return AdminResponse.problem(
                        502, "worker-refused-token", "the worker of " + group + " refused the dashboard's token");
            }
            return new AdminResponse(answer.status(), answer.body());
        } catch (WorkerAdmin.UnansweredException e) {
            return unanswered(group, worker.url(PATH + "/" + action), e);
        }
    }

    private AdminResponse unanswered(String group, String url, WorkerAdmin.UnansweredException e) {
        if (e.timedOut()) {
            return AdminResponse.problem(
                    504, "worker-timeout", "the worker of " + group + " did not answer within " + actionTimeout);
        }
        if (e.interrupted()) {
            return AdminResponse.problem(503, "interrupted", "interrupted while asking the worker of " + group);
        }
        return AdminResponse.problem(
                502, "worker-unreachable", "the worker of " + group + " at " + url + " did not answer: " + e.reason());
    }
}
