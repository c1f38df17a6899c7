"""Runs differential.txt through Debian's python3-redis against one server and prints one repr per command.
Usage: redis_py_differential.py PORT SCRIPT. The test runs it against redis-server and the gateway and compares."""
import shlex
import sys

import redis

port = int(sys.argv[1])
one = redis.Redis(port=port, socket_timeout=10)
two = redis.Redis(port=port, socket_timeout=10)
conn = one.connection_pool.get_connection("x")
conn2 = two.connection_pool.get_connection("x")
for line in open(sys.argv[2], encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#") or line.startswith("!skip") or line == "QUIT":
        continue
    c = conn
    if line.startswith("@2 "):
        c = conn2
        line = line[3:]
    words = shlex.split(line)
    try:
        c.send_command(*words)
        reply = c.read_response()
    except redis.ResponseError as e:
        reply = "error: " + str(e)
    print(line, "=>", repr(reply))
