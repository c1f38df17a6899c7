"""A responder of the fleet demo written in Python (standard library + Debian's python3-redis), joining the space
through `slate serve`: it takes each alert with ack, posts a hypothesis to the blackboard 'incident' and acknowledges
the alert, until the demo's phase key says stop. Right after each take it sets fleet/holding/AGENT_ID to the alert's id,
and removes it once the alert is acknowledged: a take belongs to the gateway connection (named AGENT_ID, so the journal
names this agent for its takes, acks and posts), and this key is how the demo's --chaos catches the moment this agent
holds an unacknowledged alert before it kills it.
Usage: fleet_agent.py PORT AGENT_ID"""
import sys
import time

import redis

from slate_redis import Slate

ALERT = ("alert", int, float, int)   # ("alert", sensor, value, sent nanos), as the JVM sensors write it


def main():
    port, agent = int(sys.argv[1]), sys.argv[2]
    r = redis.Redis(port=port, socket_timeout=30)
    r.client_setname(agent)
    slate = Slate(r)
    alerts = slate.tuples("alerts")
    holding = "fleet/holding/" + agent
    r.set("fleet/ready/" + agent, str(time.time_ns()))
    acked = 0
    while r.get("fleet/phase") != b"2":
        with alerts.take_with_ack(ALERT, timeout=0.1) or _Nothing() as t:
            if t is None:
                continue
            r.set(holding, str(t.id))
            _, sensor, value, _sent = t.fields
            slate.redis.execute_command("SLATE.BB.POST", "incident", "hypothesis", repr(value),
                                        "sensor", sensor, "value", repr(value), "alert", t.id, "by", '"' + agent + '"')
            if t.ack():
                acked += 1
            r.delete(holding)
        if acked and acked % 200 == 0:
            r.set("fleet/stats/" + agent, "acked=%d" % acked)
    r.set("fleet/stats/" + agent, "acked=%d" % acked)
    print("%s: acknowledged %d alerts through the gateway (Python, redis-py %s)" % (agent, acked, redis.__version__), flush=True)


class _Nothing(object):
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main()
