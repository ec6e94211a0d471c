package io.polyglot.projection;

import java.util.Locale;

/** Why the worker passed over a record without folding it; the offset still advances past it. */
public enum SkipReason {
    /** The value is not an envelope this build can read, or its payload is not. */
    UNDECODABLE,
    /** No projection folds events of the record's aggregate type. */
    UNKNOWN_AGGREGATE_TYPE,
    /** The event type carries nothing the projections fold. */
    UNPROJECTED_EVENT_TYPE,
    /** The aggregate version does not follow the previous event of its aggregate. */
    VERSION_OUT_OF_ORDER;

    /** The value of the {@code reason} tag of the skip counter. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
