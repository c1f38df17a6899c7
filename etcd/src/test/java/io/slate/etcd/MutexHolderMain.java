package io.slate.etcd;

/**
 * A child JVM for the lease-expiry test: joins a space as an agent with a lease of the given TTL, takes a mutex,
 * prints {@code HELD <token> <lease hex>} and keeps the lease alive until it is killed (or 120 s pass).
 *
 * <p>Args: endpoints space mutex ttlSeconds
 */
public final class MutexHolderMain {
    private MutexHolderMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        final EtcdAddress address = EtcdAddress.parse("etcd://" + args[0] + "/" + args[1]);
        final EtcdConnection c = EtcdConnection.open(address, TestOptions.options());
        final SpaceLayout layout = new SpaceLayout(address.spaceName());
        final AgentLease lease = AgentLease.grant(c, layout, Long.parseLong(args[3]), "mutex holder pid " + ProcessHandle.current().pid());
        final EtcdMutex m = new EtcdMutex(c, layout, args[2], lease, new SpaceWatch(c, layout));
        final long token = m.lock(30_000);
        System.out.println("HELD " + token + " " + Long.toHexString(lease.id()));
        System.out.flush();
        Thread.sleep(120_000);
        System.exit(3);
    }
}
