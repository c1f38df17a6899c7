"""Debian's python3-redis against `slate serve`: what a Python agent does. Usage: redis_py_check.py PORT
Exits non-zero (with the failing assertion) when a reply is not what Redis would give."""
import sys
import threading

import redis

port = int(sys.argv[1])
r = redis.Redis(port=port, socket_timeout=10)
other = redis.Redis(port=port, socket_timeout=10)

assert r.ping() is True
assert r.set("py:k", "v1") is True
assert r.get("py:k") == b"v1"
assert r.set("py:k", "v2", nx=True) is None
assert r.set("py:k", "v2", xx=True, get=True) == b"v1"
assert r.incr("py:n") == 1 and r.incrby("py:n", 41) == 42 and r.decr("py:n") == 41
try:
    r.incr("py:k")
    raise AssertionError("INCR on text must fail")
except redis.ResponseError as e:
    assert str(e) == "value is not an integer or out of range", str(e)
assert r.mset({"py:a": "1", "py:b": "2"}) is True
assert r.mget("py:a", "py:b", "py:none") == [b"1", b"2", None]
assert r.exists("py:a", "py:b", "py:none") == 2
assert r.delete("py:a", "py:none") == 1
assert sorted(r.scan_iter(match="py:*", count=2)) == [b"py:b", b"py:k", b"py:n"]
assert r.append("py:b", "xy") == 3 and r.strlen("py:b") == 3
assert r.type("py:b") == b"string" and r.type("slate:journal") == b"stream"
assert r.client_setname("py-agent") is True and r.client_getname() == "py-agent"
assert r.info()["loading"] == 0

# versions
v = r.execute_command("SLATE.GETV", "py:k")
d = dict(zip(v[0::2], v[1::2]))
assert d[b"value"] == b"v2" and d[b"version"] == 2, d
assert r.execute_command("SLATE.CAS", "py:k", 1, "stale") == -1
assert r.execute_command("SLATE.CAS", "py:k", 2, "v3") == 3

# pipeline(transaction=True) with WATCH: another writer in between makes redis-py retry
attempts = []


def double(pipe):
    value = int(pipe.get("py:n"))
    attempts.append(value)
    if len(attempts) == 1:
        other.set("py:n", 100)  # a concurrent write after WATCH: EXEC must fail and redis-py retry
    pipe.multi()
    pipe.set("py:n", value * 2)


assert r.transaction(double, "py:n") == [True]
assert attempts == [41, 100], attempts
assert r.get("py:n") == b"200"

p = r.pipeline(transaction=True)
p.incr("py:n").incr("py:n").get("py:n")
assert p.execute() == [201, 202, b"202"]

p = r.pipeline(transaction=True)
p.set("py:x", 1).set("py:y", 2)
try:
    p.execute()
    raise AssertionError("a transaction writing two keys must be refused")
except redis.ResponseError as e:
    assert "writes one key atomically" in str(e), str(e)
assert r.get("py:x") is None and r.get("py:y") is None

# the journal as a stream: replay, then tail with XREAD BLOCK
entries = r.xrange("slate:journal", "-", "+")
assert len(entries) == r.xlen("slate:journal") > 10
first_id, fields = entries[0]
assert fields[b"op"] == b"put" and fields[b"key"] == b"py:k" and fields[b"version"] == b"1", fields
last_id = r.xrevrange("slate:journal", "+", "-", count=1)[0][0]
assert last_id == entries[-1][0]
t = threading.Timer(0.2, lambda: other.set("py:tail", "x"))
t.start()
got = r.xread({"slate:journal": last_id}, block=10000)
t.join()
assert got[0][0] == b"slate:journal" and got[0][1][0][1][b"key"] == b"py:tail", got

# tuples: take with ack, owned by the connection
tid = r.execute_command("SLATE.OUT", "py:jobs", "alert", 7, "0.5")
taken = other.execute_command("SLATE.TAKE", "py:jobs", "alert", "?long", "*")
assert taken == [tid, [b"alert", 7, b"0.5"]], taken
assert r.execute_command("SLATE.RDP", "py:jobs", "alert", "*", "*") is None
other.connection_pool.disconnect()  # dropped before the ack: the tuple comes back
for _ in range(200):
    back = r.execute_command("SLATE.RDP", "py:jobs", "alert", "*", "*")
    if back is not None:
        break
    threading.Event().wait(0.02)
assert back == [b"alert", 7, b"0.5"], back
taken = r.execute_command("SLATE.TAKE", "py:jobs", "alert", "*", "*", "BLOCK", 1000)
assert r.execute_command("SLATE.ACK", taken[0]) == 1

# a fenced lock
token = r.execute_command("SLATE.LOCK", "py:drone", "BLOCK", 1000)
assert token >= 1 and other.execute_command("SLATE.LOCK", "py:drone") is None
assert r.execute_command("SLATE.UNLOCK", "py:drone") == b"OK"
assert other.execute_command("SLATE.LOCK", "py:drone") > token
print("ok redis-py", redis.__version__)
