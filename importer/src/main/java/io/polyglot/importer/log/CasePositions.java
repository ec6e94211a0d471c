package io.polyglot.importer.log;

import java.util.HashMap;
import java.util.Map;

/**
 * Numbers the events of each case 1, 2, 3 ... in the log's order. A case that appears in several traces (or, in a CSV,
 * in rows spread over the file) keeps counting, so a position is unique within a case. Holds one counter per case, not
 * the events.
 */
public final class CasePositions {

    private final Map<String, Integer> lastPositions = new HashMap<>();

    /** The position of the next event of this case. */
    public int next(String caseId) {
        return lastPositions.merge(caseId, 1, Integer::sum);
    }

    /** How many distinct cases have been numbered. */
    public int cases() {
        return lastPositions.size();
    }
}
