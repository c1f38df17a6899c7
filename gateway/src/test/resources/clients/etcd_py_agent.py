"""A Python agent (Debian's python3-redis) on one gateway of a space on etcd, while a Node agent works through another
gateway of the same space (GwEtcdTest). Usage: etcd_py_agent.py PHASE PORT_A PORT_B [ARG...]

  check NODE_AGENT KEY_VERSION TOKEN   sees the Node agent's writes, versions, journal records, tuples and lock
  tail                                 prints TAILING, then waits (XREAD BLOCK) for the record of key node:tail
  hold                                 takes the tuple ('victim', ?long) without acking it, prints TAKEN id, sleeps

Exits non-zero with the failing assertion; prints one "ok ..." line on success."""
import json
import sys
import time

import redis

phase, port_a, port_b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
NAME = "py-a"


def connect(port, name=NAME):
    c = redis.Redis(port=port, socket_timeout=30)
    assert c.client_setname(name) is True
    return c


def getv(c, key):
    v = c.execute_command("SLATE.GETV", key)
    return None if v is None else dict(zip(v[0::2], v[1::2]))


if phase == "check":
    node_agent, node_version, node_token = sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    r = connect(port_a)
    # key/value with versions: what the Node agent wrote through the other gateway
    assert r.get("node:k") == b"from-node-2", r.get("node:k")
    d = getv(r, "node:k")
    assert d[b"version"] == node_version == 2 and d[b"writer"] == node_agent.encode(), d
    assert r.execute_command("SLATE.CAS", "node:k", 1, "stale") == -1
    assert r.execute_command("SLATE.CAS", "node:k", 2, "from-py") == 3
    assert r.incr("py:n") == 1 and r.incrby("py:n", 41) == 42
    # the journal as a stream: the Node agent's records, then ours, in commit order
    entries = r.xrange("slate:journal", "-", "+")
    puts = [(f[b"version"], f[b"value"], f[b"agent"]) for _, f in entries if f[b"op"] == b"put" and f[b"key"] == b"node:k"]
    assert puts[:2] == [(b"1", b"from-node-1", node_agent.encode()), (b"2", b"from-node-2", node_agent.encode())], puts
    assert len(puts) == 3 and puts[2][:2] == (b"3", b"from-py"), puts
    ids = [int(i.split(b"-")[0]) for i, _ in entries]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), ids
    assert r.xlen("slate:journal") == len(entries)
    # tuples the Node agent put out: a take with ack, acknowledged
    taken = r.execute_command("SLATE.TAKE", "jobs", "alert", "?long", "BLOCK", 5000)
    assert taken is not None and taken[1][0] == b"alert", taken
    assert r.execute_command("SLATE.ACK", taken[0]) == 1
    # a take whose connection drops before the ack: the tuple comes back
    t = connect(port_a, NAME + "-taker")
    dropped = t.execute_command("SLATE.TAKE", "jobs", "alert", "?long")
    assert dropped is not None, "a second alert to take"
    # another connection's agent took it: this agent's view of the tuple space shows it once its journal has the take
    deadline = time.monotonic() + 20
    while r.execute_command("SLATE.COUNT", "jobs", "alert", "?long") != 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert r.execute_command("SLATE.COUNT", "jobs", "alert", "?long") == 1, "the other connection's take is seen"
    t.connection_pool.disconnect()
    deadline = time.monotonic() + 20
    while r.execute_command("SLATE.COUNT", "jobs", "alert", "?long") != 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert r.execute_command("SLATE.COUNT", "jobs", "alert", "?long") == 2, "the dropped take came back"
    # fenced locks across the two gateways: held here, refused there, then taken there with a larger token
    mine = r.execute_command("SLATE.LOCK", "drone", "BLOCK", 10000)
    assert mine is not None and mine > node_token, (mine, node_token)
    b = connect(port_b, NAME + "-on-b")
    assert b.execute_command("SLATE.LOCK", "drone") is None, "held through the other gateway"
    assert r.execute_command("SLATE.UNLOCK", "drone") == b"OK"
    theirs = b.execute_command("SLATE.LOCK", "drone", "BLOCK", 10000)
    assert theirs is not None and theirs > mine, (theirs, mine)
    assert b.execute_command("SLATE.UNLOCK", "drone") == b"OK"
    print("ok " + json.dumps({"tokens": [mine, theirs], "taken": taken[1][1], "journal": len(entries)}), flush=True)
elif phase == "tail":
    r = connect(port_a)
    last = r.xrevrange("slate:journal", "+", "-", count=1)[0][0]
    print("TAILING " + last.decode(), flush=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = r.xread({"slate:journal": last}, block=5000)
        for _, records in got or []:
            for rid, f in records:
                assert int(rid.split(b"-")[0]) > int(last.split(b"-")[0]), (rid, last)
                last = rid
                if f[b"key"] == b"node:tail":
                    print("ok " + json.dumps({"op": f[b"op"].decode(), "value": f[b"value"].decode(),
                                              "agent": f[b"agent"].decode(), "id": rid.decode()}), flush=True)
                    sys.exit(0)
    raise AssertionError("no record of node:tail within 60 s")
elif phase == "hold":
    r = connect(port_a)
    taken = r.execute_command("SLATE.TAKE", "jobs", "victim", "?long", "BLOCK", 10000)
    assert taken is not None, "a victim tuple to take"
    print("TAKEN %d %d" % (taken[0], taken[1][1]), flush=True)
    time.sleep(120)  # holds the take, unacknowledged, until the test kills this process
else:
    raise SystemExit("unknown phase " + phase)
