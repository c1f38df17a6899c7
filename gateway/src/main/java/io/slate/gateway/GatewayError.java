package io.slate.gateway;

/** An error reply, carried out of a command with its full text (code first: {@code ERR ...}, {@code WRONGTYPE ...}). */
final class GatewayError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GatewayError(final String reply) {
        super(reply, null, false, false);
    }
}
