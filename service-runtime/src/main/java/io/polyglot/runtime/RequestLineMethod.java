package io.polyglot.runtime;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * Makes the method on the request line the request's method, for every HTTP service. Javalin 6 takes a request's
 * method from an {@code X-HTTP-Method-Override} header when there is one ({@code Context.method()}, which its router
 * asks), and no setting turns that off; no service documents such a header, and honouring it let a {@code POST} be
 * answered as a {@code GET} (or a {@code GET} run a route that changes something, such as the dashboard's sign-out),
 * past anything in front of the service that judged the request by its request line. This filter hides that header
 * and its look-alikes {@code X-HTTP-Method} and {@code X-Method-Override} from Javalin and the routes.
 */
public final class RequestLineMethod extends HttpFilter {

    /** The headers that ask for another method than the request line's, none of which any service honours. */
    public static final List<String> OVERRIDES =
            List.of("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override");

    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        boolean asksForAnother = OVERRIDES.stream().anyMatch(name -> request.getHeader(name) != null);
        chain.doFilter(asksForAnother ? new WithoutOverride(request) : request, response);
    }

    private static boolean isOverride(String name) {
        return OVERRIDES.stream().anyMatch(name::equalsIgnoreCase);
    }

    /** The request as sent, but for the override headers. */
    private static final class WithoutOverride extends HttpServletRequestWrapper {

        WithoutOverride(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getHeader(String name) {
            return isOverride(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return isOverride(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
                    .filter(name -> !isOverride(name))
                    .toList());
        }
    }
}
