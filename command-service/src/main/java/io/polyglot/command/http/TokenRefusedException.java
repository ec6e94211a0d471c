package io.polyglot.command.http;

import io.polyglot.runtime.AccessVerdict;

/** A request without the right bearer token; answered 401 before any route is looked up. */
final class TokenRefusedException extends RuntimeException {

    private final transient AccessVerdict verdict;

    TokenRefusedException(AccessVerdict verdict) {
        super(verdict.detail(), null, false, false);
        this.verdict = verdict;
    }

    AccessVerdict verdict() {
        return verdict;
    }
}
