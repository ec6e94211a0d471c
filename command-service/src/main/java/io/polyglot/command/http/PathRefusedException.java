package io.polyglot.command.http;

import io.polyglot.command.intake.Problem;

/** A request whose path cannot name what it asks for; answered with its problem, and nothing is looked up. */
final class PathRefusedException extends RuntimeException {

    private final transient Problem problem;

    PathRefusedException(Problem problem) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
    }

    Problem problem() {
        return problem;
    }
}
