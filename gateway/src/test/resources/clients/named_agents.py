"""Two Python agents (Debian's python3-redis) with different client names on one gateway: the journal, the versions'
writers and the tuples' records tell them apart; a connection without a name writes as the gateway's agent.
Usage: named_agents.py PORT GATEWAY_AGENT. Prints one "ok" line; exits non-zero with the failing assertion."""
import sys

import redis

port, gateway_agent = int(sys.argv[1]), sys.argv[2]
planner = redis.Redis(port=port, socket_timeout=30)
critic = redis.Redis(port=port, socket_timeout=30)
anon = redis.Redis(port=port, socket_timeout=30)
assert planner.client_setname("planner") is True and planner.client_getname() == "planner"
assert critic.client_setname("critic") is True

first = planner.xrevrange("slate:journal", "+", "-", count=1)
after = first[0][0] if first else b"0-0"
assert planner.set("plan", "explore") is True
assert critic.set("plan", "dock") is True
assert planner.incr("steps") == 1 and critic.incr("steps") == 2
assert anon.set("anon", "x") is True
planner.execute_command("SLATE.OUT", "ideas", "from", "planner")
critic.execute_command("SLATE.OUT", "ideas", "from", "critic")
assert critic.execute_command("SLATE.CAS", "plan", 2, "dock-now") == 3

d = critic.execute_command("SLATE.GETV", "plan")
d = dict(zip(d[0::2], d[1::2]))
assert d[b"writer"] == b"critic" and d[b"version"] == 3, d

records = [(f[b"op"], f[b"key"], f[b"agent"]) for _, f in planner.xrange("slate:journal", "(" + after.decode(), "+")]
assert records == [
    (b"put", b"plan", b"planner"),
    (b"put", b"plan", b"critic"),
    (b"put", b"steps", b"planner"),
    (b"put", b"steps", b"critic"),
    (b"put", b"anon", gateway_agent.encode()),
    (b"tuple-out", b"ideas", b"planner"),
    (b"tuple-out", b"ideas", b"critic"),
    (b"put", b"plan", b"critic"),
], records

# the connection's agent is in CLIENT LIST; an empty name goes back to the gateway's agent
listing = planner.execute_command("CLIENT", "LIST")
listing = listing.decode() if isinstance(listing, bytes) else listing
assert "name=planner" in listing and "agent=planner" in listing and "agent=critic" in listing, listing
assert critic.client_setname("") is True
assert critic.set("plan", "back-to-gateway") is True
d = critic.execute_command("SLATE.GETV", "plan")
assert dict(zip(d[0::2], d[1::2]))[b"writer"] == gateway_agent.encode(), d
print("ok", len(records), "records told apart")
