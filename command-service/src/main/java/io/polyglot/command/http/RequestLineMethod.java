package io.polyglot.command.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;

/**
 * Makes the method on the request line the request's method. Javalin 6 takes a request's method from an
 * {@code X-HTTP-Method-Override} header when there is one ({@code Context.method()}, which its router asks), and no
 * setting turns that off; the service documents no such header, and honouring it let a {@code POST} read a decision
 * as a {@code GET} and a {@code POST} of a command be refused as a {@code GET}, past anything in front of the service
 * that judged the request by its request line. This filter hides the header from Javalin and the routes.
 */
final class RequestLineMethod extends HttpFilter {

    static final String OVERRIDE = "X-HTTP-Method-Override";

    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request.getHeader(OVERRIDE) == null ? request : new WithoutOverride(request), response);
    }

    /** The request as sent, but for the override header. */
    private static final class WithoutOverride extends HttpServletRequestWrapper {

        WithoutOverride(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getHeader(String name) {
            return OVERRIDE.equalsIgnoreCase(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return OVERRIDE.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
                    .filter(name -> !OVERRIDE.equalsIgnoreCase(name))
                    .toList());
        }
    }
}
