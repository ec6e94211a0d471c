package io.polyglot.runtime;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL connection in libpq URI form ({@code postgresql://user:password@host:port/database}), the form {@code
 * psql} takes, turned into what the JDBC driver needs.
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/database}, with the URI's query string kept
 * @param user the role, or null when the URI names none
 * @param password the password, or null when the URI carries none
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

    /** Parses a libpq URI; a {@code jdbc:postgresql:} URL is taken as it is, without credentials. */
    public static DatabaseUrl parse(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(url, null, null);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidSettingException("DATABASE_URL is not a URI: " + e.getReason());
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new InvalidSettingException("DATABASE_URL must start with postgresql://");
        }
        if (uri.getHost() == null) {
            throw new InvalidSettingException("DATABASE_URL names no host");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String path = uri.getRawPath() == null ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return new DatabaseUrl("jdbc:postgresql://" + uri.getHost() + port + path + query, user, password);
    }

    /** Where the URL points, {@code host:port} as written (hosts, for a URL that names several), for messages. */
    public String server() {
        int start = jdbcUrl.indexOf("//");
        if (start < 0) {
            return jdbcUrl;
        }
        String rest = jdbcUrl.substring(start + 2);
        int end = 0;
        while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != '?') {
            end++;
        }
        return rest.substring(0, end);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "DatabaseUrl[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=****]";
    }
}
