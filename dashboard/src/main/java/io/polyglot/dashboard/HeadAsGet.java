package io.polyglot.dashboard;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Answers {@code HEAD} as {@code GET} would be answered (RFC 9110): the same route runs, so the status and headers
 * are the GET's, a 404 or 400 included, and Jetty sends no body since the request on the wire is a HEAD. Javalin
 * alone answers every HEAD of a GET route 200 with nothing, without running the route.
 */
final class HeadAsGet extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter("HEAD".equals(request.getMethod()) ? new AsGet(request) : request, response);
    }

    /** The request as sent, but asking with GET. */
    private static final class AsGet extends HttpServletRequestWrapper {

        AsGet(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getMethod() {
            return "GET";
        }
    }
}
