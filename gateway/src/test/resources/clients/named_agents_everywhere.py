"""A named connection writes as its own agent on every write path, not only keys: tuples put out, taken and
acknowledged, mutexes, semaphore permits, counters, blackboard posts and MULTI/EXEC blocks (python3-redis's
pipeline(transaction=True) with WATCH); SLATE.INFO lists the agents writing through the gateway with their connections.
The test that runs it has defined the blackboard 'incident' and switched journaling on for mutex 'drone', semaphore
'uplink' and counter 'visits', so their events are journal records naming their agent.
Usage: named_agents_everywhere.py PORT GATEWAY_AGENT. Prints one "ok" line; exits non-zero with the failing assertion."""
import sys

import redis

port, gateway_agent = int(sys.argv[1]), sys.argv[2].encode()
planner = redis.Redis(port=port, socket_timeout=30)
critic = redis.Redis(port=port, socket_timeout=30)
anon = redis.Redis(port=port, socket_timeout=30)
assert planner.client_setname("planner") is True
assert critic.client_setname("critic") is True


def as_dict(flat):
    return dict(zip(flat[0::2], flat[1::2]))


first = anon.xrevrange("slate:journal", "+", "-", count=1)
after = first[0][0].decode() if first else "0-0"

# tuples: put out by one agent, taken with ack and acknowledged by another
planner.execute_command("SLATE.OUT", "jobs", "job", 1)
planner.execute_command("SLATE.OUT", "jobs", "job", 2)
tid, fields = critic.execute_command("SLATE.TAKE", "jobs", "job", 1)
assert fields == [b"job", 1], fields
assert critic.execute_command("SLATE.ACK", tid) == 1

# a mutex, held by the connection as its agent: SLATE.INFO shows the agent among the holders
token = planner.execute_command("SLATE.LOCK", "drone")
assert token >= 1, token
info = as_dict(critic.execute_command("SLATE.INFO"))
drone = [p for p in info[b"sync"] if p.startswith(b"mutex drone ")]
assert len(drone) == 1 and b"holders=[planner pid=" in drone[0], info[b"sync"]
assert planner.execute_command("SLATE.UNLOCK", "drone") == b"OK"

# semaphore permits and a counter
assert critic.execute_command("SLATE.SEM.ACQUIRE", "uplink", 2) == 1
assert critic.execute_command("SLATE.SEM.RELEASE", "uplink", 2) == 0
assert planner.execute_command("SLATE.COUNTER.ADD", "visits", 5) == 5

# blackboard posts: each connection's own agent is the entry's author; an unnamed connection posts as the gateway
posts = [
    planner.execute_command("SLATE.BB.POST", "incident", "hypothesis", "0.9", "sensor", 3),
    critic.execute_command("SLATE.BB.POST", "incident", "hypothesis", "0.5", "sensor", 4),
    anon.execute_command("SLATE.BB.POST", "incident", "hypothesis", "0.1", "sensor", 5),
]
assert posts == sorted(posts) and len(set(posts)) == 3, posts

# a MULTI/EXEC block with WATCH (python3-redis's transaction pipeline): one compare-and-set, written as its agent
with planner.pipeline(transaction=True) as pipe:
    pipe.watch("plan")
    assert pipe.get("plan") is None
    pipe.multi()
    pipe.set("plan", "explore")
    pipe.append("plan", "-north")
    assert pipe.execute() == [True, 13]

records = [(f[b"op"], f[b"key"], f[b"agent"]) for _, f in anon.xrange("slate:journal", "(" + after, "+")]
assert records == [
    (b"tuple-out", b"jobs", b"planner"),
    (b"tuple-out", b"jobs", b"planner"),
    (b"tuple-take", b"jobs", b"critic"),
    (b"tuple-ack", b"jobs", b"critic"),
    (b"lock", b"drone", b"planner"),
    (b"unlock", b"drone", b"planner"),
    (b"sem-acquire", b"uplink", b"critic"),
    (b"sem-release", b"uplink", b"critic"),
    (b"counter-add", b"visits", b"planner"),
    (b"bb-write", b"incident", b"planner"),
    (b"bb-write", b"incident", b"critic"),
    (b"bb-write", b"incident", gateway_agent),
    (b"put", b"plan", b"planner"),
], records

# SLATE.INFO: the agents writing through this gateway, with their connections, and the one this connection writes as
info = as_dict(planner.execute_command("SLATE.INFO"))
assert info[b"agent"] == gateway_agent, info
assert info[b"connection_agent"] == b"planner", info
assert info[b"gateway_agents"] == [
    gateway_agent + b" connections=1 gateway",
    b"critic connections=1",
    b"planner connections=1",
], info[b"gateway_agents"]
assert b"jobs 1" in info[b"tuples"], info[b"tuples"]
assert as_dict(anon.execute_command("SLATE.INFO"))[b"connection_agent"] == gateway_agent

# a second connection of one name shares its agent; closing it leaves the agent to the other
planner2 = redis.Redis(port=port, socket_timeout=30)
assert planner2.client_setname("planner") is True
assert b"planner connections=2" in as_dict(anon.execute_command("SLATE.INFO"))[b"gateway_agents"]
planner2.close()
print("ok", len(records), "records of", len(set(r[2] for r in records)), "agents")
