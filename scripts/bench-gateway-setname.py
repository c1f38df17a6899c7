#!/usr/bin/python3
"""What naming a connection costs on `slate serve` (a named connection writes as an agent of its name; a new name opens
that agent on the space: docs/gateway.md, "Who wrote it"). Usage: bench-gateway-setname.py PORT [N]

Against a running gateway, N times (default 30): a fresh connection names itself with a new name (the gateway opens an
agent), a second fresh connection takes the same name (the agent is shared), and the first writes one key as that
agent. Prints the p50 and max of each, in milliseconds. Needs Debian's python3-redis."""
import sys
import time

import redis

port = int(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 30
tag = "bench-%d" % (time.time_ns() % 1000000)
first, again, writes = [], [], []
for i in range(n):
    c = redis.Redis(port=port, socket_timeout=60)
    c.ping()
    t0 = time.perf_counter()
    c.client_setname("%s-%d" % (tag, i))
    first.append(time.perf_counter() - t0)
    d = redis.Redis(port=port, socket_timeout=60)
    d.ping()
    t0 = time.perf_counter()
    d.client_setname("%s-%d" % (tag, i))
    again.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    c.set("%s-key" % tag, "v")
    writes.append(time.perf_counter() - t0)
    c.close()
    d.close()


def ms(x):
    x = sorted(x)
    return "p50 %.2f ms, max %.2f ms" % (x[len(x) // 2] * 1000, x[-1] * 1000)


print("new name: %s; a name another connection has: %s; SET as the named agent: %s (n=%d)" % (ms(first), ms(again), ms(writes), n))
