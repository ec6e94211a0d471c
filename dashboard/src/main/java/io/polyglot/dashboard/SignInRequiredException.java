package io.polyglot.dashboard;

import io.polyglot.runtime.AccessVerdict;

/**
 * A request with neither a valid session cookie nor the bearer token: a page is sent to the sign-in page, an API call
 * answers 401 with the verdict's challenge.
 */
final class SignInRequiredException extends RuntimeException {

    private final AccessVerdict verdict;
    private final boolean page;

    SignInRequiredException(AccessVerdict verdict, boolean page) {
        super(verdict.detail());
        this.verdict = verdict;
        this.page = page;
    }

    AccessVerdict verdict() {
        return verdict;
    }

    /** Whether a browser asked for a page, which goes to the sign-in page instead of a 401. */
    boolean page() {
        return page;
    }
}
