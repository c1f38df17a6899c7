package io.slate.cli;

import io.slate.gateway.Gateway;
import io.slate.gateway.GatewayConfig;
import io.slate.space.Space;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Set;

/** {@code slate serve}: the Redis-protocol gateway over a space, until Ctrl-C or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Serves the space over the Redis protocol (RESP2, and RESP3 after HELLO 3), so redis-cli and the Python and Node "
                + "Redis clients join it: keys with versions, the journal as the stream '" + GatewayConfig.JOURNAL_STREAM + "', "
                + "tuple spaces, mutexes with fencing tokens, semaphores and counters (SLATE.* commands). See docs/gateway.md.",
            "The gateway is one agent of the space; what a connection holds (a mutex, permits, an unacknowledged take) is "
                + "given back when the connection drops, and by the space if this process dies.",
            "A password is read from the environment variable " + ServeCommand.PASSWORD_ENV + " or from --password-file "
                + "(owner-only), never from the command line; clients then AUTH first.",
            "Prints one line 'slate serve: listening on ...' when ready, and runs until Ctrl-C or SIGTERM.",
        })
final class ServeCommand extends SpaceCommand {
    /** The environment variable holding the password clients must give with AUTH. */
    static final String PASSWORD_ENV = "SLATE_GATEWAY_PASSWORD";

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "6379",
            description = "TCP port (default ${DEFAULT-VALUE}; 0 picks a free one, -1 opens none: Unix socket only).")
    private int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to bind the TCP port to (default ${DEFAULT-VALUE}, loopback only).")
    private String bind;

    @Option(names = "--unix", paramLabel = "PATH", description = "Also listen on this Unix socket, created owner-only (0600).")
    private Path unix;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Read the password from this file (its first line); the file must not be readable by group or others.")
    private Path passwordFile;

    @Option(names = "--max-blocked-clients", paramLabel = "N", defaultValue = "512",
            description = "Most commands waiting at once with BLOCK (default ${DEFAULT-VALUE}).")
    private int maxBlocked;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "1",
            description = "Event-loop threads (default ${DEFAULT-VALUE}, as Redis; 0: twice the processors).")
    private int ioThreads;

    @Override
    int execute() {
        final GatewayConfig config;
        try {
            config = GatewayConfig.defaults().bind(bind).port(port).unixSocket(unix).maxBlockedClients(maxBlocked).ioThreads(ioThreads)
                    .password(password());
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage(e.getMessage());
        }
        if (port < 0 && unix == null) {
            throw CliFailure.usage("--port -1 opens no TCP port: give --unix PATH too");
        }
        try (Space s = openOrCreate(); Gateway g = Gateway.start(s, config)) {
            final PrintStream out = out();
            out.println("slate serve: listening on " + (g.port() >= 0 ? bind + ":" + g.port() : "")
                    + (g.unixSocket() != null ? (g.port() >= 0 ? " and " : "") + "unix:" + g.unixSocket() : "")
                    + " (space " + s.address() + ", agent " + s.agentId() + (config.requiresPassword() ? ", AUTH required" : "") + ")");
            out.flush();
            while (!stopRequested()) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } catch (java.io.UncheckedIOException e) {
            throw CliFailure.usage(e.getMessage());
        }
        return SlateCli.EXIT_OK;
    }

    private byte[] password() {
        final String fromEnv = env().get(PASSWORD_ENV);
        if (passwordFile != null) {
            if (fromEnv != null) {
                throw CliFailure.usage("give the password once: either " + PASSWORD_ENV + " or --password-file");
            }
            try {
                final Set<PosixFilePermission> mode = Files.getPosixFilePermissions(passwordFile);
                if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
                    throw CliFailure.usage("password file " + passwordFile + " is readable by group or others; chmod 600 it");
                }
                final byte[] b = Files.readAllBytes(passwordFile);
                int n = 0;
                while (n < b.length && b[n] != '\n' && b[n] != '\r') {
                    n++;
                }
                if (n == 0) {
                    throw CliFailure.usage("password file " + passwordFile + " is empty");
                }
                return Arrays.copyOf(b, n);
            } catch (IOException e) {
                throw CliFailure.usage("cannot read password file " + passwordFile + ": " + e.getMessage());
            }
        }
        if (fromEnv != null) {
            if (fromEnv.isEmpty()) {
                throw CliFailure.usage(PASSWORD_ENV + " is set but empty");
            }
            return fromEnv.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return null;
    }
}
