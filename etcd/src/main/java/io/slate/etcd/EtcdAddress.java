package io.slate.etcd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A space's address on etcd: {@code etcd://host:port[,host:port...]/spaceName}. Credentials and TLS are not part of
 * the address (they come through options and environment variables, so that an address can be printed).
 *
 * <p>The space name must be what a key prefix can hold and a person can type: 1 to {@value #MAX_NAME} characters of
 * {@code A-Z a-z 0-9 . _ -}, not {@code .} or {@code ..}. Every problem is one line naming the address and what is
 * wrong with it.
 */
final class EtcdAddress {
    static final String SCHEME = "etcd";
    static final int MAX_NAME = 128;
    private final List<String> endpoints;
    private final String spaceName;

    private EtcdAddress(final List<String> endpoints, final String spaceName) {
        this.endpoints = endpoints;
        this.spaceName = spaceName;
    }

    /** Parses {@code address}; throws {@link EtcdFailure} of kind {@link EtcdFailure.Kind#INVALID_ADDRESS} naming it. */
    static EtcdAddress parse(final String address) {
        if (address == null || address.isEmpty()) {
            throw invalid(String.valueOf(address), "is empty; expected etcd://host:port[,host:port...]/spaceName");
        }
        final int sep = address.indexOf("://");
        if (sep < 0) {
            throw invalid(address, "has no scheme; expected etcd://host:port[,host:port...]/spaceName");
        }
        final String scheme = address.substring(0, sep);
        if (!SCHEME.equals(scheme.toLowerCase(Locale.ROOT))) {
            throw invalid(address, "has scheme '" + scheme + "', not 'etcd'");
        }
        final String rest = address.substring(sep + 3);
        if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw invalid(address, "has a query or fragment; options (credentials, TLS, timeouts) are given separately");
        }
        if (rest.indexOf('@') >= 0) {
            throw invalid(address, "carries user information; credentials are given through options or SLATE_ETCD_USER/SLATE_ETCD_PASSWORD, never in the address");
        }
        final int slash = rest.indexOf('/');
        if (slash < 0) {
            throw invalid(address, "has no space name; expected etcd://host:port[,host:port...]/spaceName");
        }
        final String authority = rest.substring(0, slash);
        final String name = rest.substring(slash + 1);
        if (authority.isEmpty()) {
            throw invalid(address, "names no endpoint (host:port) before the space name");
        }
        final List<String> eps = new ArrayList<>();
        for (final String ep : authority.split(",", -1)) {
            eps.add(endpoint(address, ep));
        }
        checkName(address, name);
        return new EtcdAddress(Collections.unmodifiableList(eps), name);
    }

    private static String endpoint(final String address, final String ep) {
        if (ep.isEmpty()) {
            throw invalid(address, "has an empty endpoint in its list (two commas, or a comma at an end)");
        }
        final int colon = ep.lastIndexOf(':');
        if (colon <= 0 || colon == ep.length() - 1) {
            throw invalid(address, "endpoint '" + ep + "' is not host:port");
        }
        final String host = ep.substring(0, colon);
        final String port = ep.substring(colon + 1);
        if (host.startsWith("[") != host.endsWith("]") || (!host.startsWith("[") && host.indexOf(':') >= 0)) {
            throw invalid(address, "endpoint '" + ep + "': an IPv6 host goes in brackets, e.g. [::1]:2379");
        }
        for (int i = 0; i < host.length(); i++) {
            final char c = host.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_')) {
                throw invalid(address, "endpoint '" + ep + "' has '" + c + "' in its host");
            }
        }
        final int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw invalid(address, "endpoint '" + ep + "' has port '" + port + "', not a number");
        }
        if (p < 1 || p > 65535) {
            throw invalid(address, "endpoint '" + ep + "' has port " + p + ", outside 1-65535");
        }
        return host + ":" + p;
    }

    private static void checkName(final String address, final String name) {
        if (name.isEmpty()) {
            throw invalid(address, "has an empty space name after the endpoints");
        }
        if (name.length() > MAX_NAME) {
            throw invalid(address, "space name is " + name.length() + " characters; at most " + MAX_NAME);
        }
        if (name.equals(".") || name.equals("..")) {
            throw invalid(address, "space name '" + name + "' is reserved");
        }
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            final boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok) {
                throw invalid(address, "space name '" + name + "' has '" + (c == '/' ? "/" : String.valueOf(c))
                        + "'; use A-Z a-z 0-9 . _ - (it becomes an etcd key prefix)");
            }
        }
    }

    private static EtcdFailure invalid(final String address, final String problem) {
        return new EtcdFailure(EtcdFailure.Kind.INVALID_ADDRESS, "etcd address '" + address + "' " + problem, true);
    }

    /** {@code host:port} of each member, in the order given. */
    List<String> endpoints() {
        return endpoints;
    }

    /** The endpoints as given, comma separated, for messages. */
    String endpointList() {
        return String.join(",", endpoints);
    }

    String spaceName() {
        return spaceName;
    }

    @Override
    public String toString() {
        return SCHEME + "://" + endpointList() + "/" + spaceName;
    }
}
