package io.polyglot.projection;

import io.polyglot.runtime.deadletter.DeadLetterSource;
import java.util.Map;

/**
 * What operators decided about the dead letters of one projection group, kept in the read model's database. A dead
 * letter without a decision is pending: it is left out of the read model, live and rebuilt alike. A retried one is
 * folded in at its place in the log by the rebuild that recorded the retry; a skipped one stays out for good.
 */
public interface DeadLetterResolutions {

    /** A decision about a dead letter. */
    enum Resolution {
        RETRIED,
        SKIPPED;

        /** The lower-case name the admin endpoints and the database use. */
        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Every decision of the group about records of {@code topic}.
     *
     * @throws ReadModelUnavailableException when the database cannot be reached
     */
    Map<DeadLetterSource, Resolution> all(String topic);

    /**
     * Records that the dead letter of {@code source} is left out for good, unless a decision exists already.
     *
     * @return the decision in force afterwards, and whether this call made it
     * @throws ReadModelUnavailableException when the database cannot be reached
     */
    Decision skip(DeadLetterSource source);

    /**
     * The decision about a dead letter after a request.
     *
     * @param resolution the decision in force
     * @param madeNow whether the request made it; false when it was there already
     */
    record Decision(Resolution resolution, boolean madeNow) {}
}
