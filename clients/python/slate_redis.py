"""Slate's commands for Python agents, over any redis-py client connected to `slate serve` (see docs/gateway.md).

    import redis
    from slate_redis import Slate, ANY

    slate = Slate(redis.Redis(port=6379))
    jobs = slate.tuples("jobs")
    jobs.out("alert", 7, 0.93)
    with jobs.take_with_ack(("alert", int, float), timeout=5) as t:   # None on timeout
        handle(t.fields)
        t.ack()                      # without ack (an exception, a crash) the tuple goes back to the space

Standard library plus Debian's python3-redis. Templates are tuples: a value matches itself, a type (str, int, float,
bool, bytes) any field of that type, ANY (or None) any field. Replies are turned back into Python values by the
template: a field matched by a type or a value comes back as that type; a field matched by ANY comes back as the
server sent it (bytes, or an int for longs and RESP2 booleans).
"""
import base64

ANY = object()

_FORMALS = {str: "?string", int: "?long", float: "?double", bool: "?boolean", bytes: "?bytes"}


def _word(value):
    """One field as the gateway reads it (the command line's syntax)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("a tuple field cannot be NaN or infinite: %r" % value)
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    if isinstance(value, bytes):
        return "b64:" + base64.b64encode(value).decode("ascii")
    if isinstance(value, str):
        return '"' + value + '"'
    raise TypeError("a tuple field is str, int, float, bool or bytes, not %s" % type(value).__name__)


def _template_word(entry):
    if entry is ANY or entry is None:
        return "*"
    if isinstance(entry, type):
        if entry not in _FORMALS:
            raise TypeError("a formal is str, int, float, bool or bytes, not %s" % entry.__name__)
        return _FORMALS[entry]
    return _word(entry)


def _convert(raw, entry):
    kind = entry if isinstance(entry, type) else type(entry) if entry is not ANY and entry is not None else None
    if kind is None:
        return raw
    if kind is bool:
        return bool(int(raw)) if not isinstance(raw, bool) else raw
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
    if kind is str:
        return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    return raw


class Versioned(object):
    """A key's value with its version, writer, journal index, time (ns) and whether this version removed it."""

    def __init__(self, reply):
        d = dict(zip(reply[0::2], reply[1::2])) if isinstance(reply, list) else reply
        d = {(k.decode() if isinstance(k, bytes) else k): v for k, v in d.items()}
        self.value = d["value"]
        self.version = int(d["version"])
        self.writer = d["writer"].decode() if isinstance(d["writer"], bytes) else d["writer"]
        self.index = int(d["index"])
        self.time_ns = int(d["time"])
        self.removed = bool(int(d["removed"]))

    def __repr__(self):
        return "Versioned(%r, version=%d, writer=%r)" % (self.value, self.version, self.writer)


class Taken(object):
    """A tuple taken with ack: owned by this connection until ack() or release(); back in the space if it drops."""

    def __init__(self, client, tid, fields):
        self._client = client
        self.id = tid
        self.fields = fields
        self.open = True

    def ack(self):
        self.open = False
        return self._client.execute_command("SLATE.ACK", self.id) == 1

    def release(self):
        self.open = False
        self._client.execute_command("SLATE.RELEASE", self.id)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.open:
            self.release()
        return False


class TupleSpace(object):
    """A Linda tuple space of the Slate space, by name."""

    def __init__(self, client, name):
        self._client = client
        self.name = name

    def out(self, *fields):
        """Writes a tuple; returns its id (its journal index)."""
        return self._client.execute_command("SLATE.OUT", self.name, *[_word(f) for f in fields])

    def _call(self, command, template, timeout):
        args = [command, self.name] + [_template_word(e) for e in template]
        if timeout is not None:
            args += ["BLOCK", int(round(timeout * 1000))]
        return self._client.execute_command(*args)

    def _fields(self, raw, template):
        return None if raw is None else tuple(_convert(v, e) for v, e in zip(raw, template))

    def rdp(self, template):
        return self._fields(self._call("SLATE.RDP", template, None), template)

    def rd(self, template, timeout=0):
        """Reads the oldest match, waiting up to timeout seconds (0: forever); None on timeout."""
        return self._fields(self._call("SLATE.RD", template, timeout), template)

    def inp(self, template):
        return self._fields(self._call("SLATE.INP", template, None), template)

    def in_(self, template, timeout=0):
        """Takes the oldest match for good, waiting up to timeout seconds (0: forever); None on timeout."""
        return self._fields(self._call("SLATE.IN", template, timeout), template)

    def take_with_ack(self, template, timeout=None):
        """Takes the oldest match until ack(); timeout in seconds (None: do not wait, 0: forever). None when none."""
        raw = self._call("SLATE.TAKE", template, timeout)
        if raw is None:
            return None
        return Taken(self._client, raw[0], self._fields(raw[1], template))

    def count(self, template):
        return self._client.execute_command("SLATE.COUNT", self.name, *[_template_word(e) for e in template])


class Lock(object):
    """A Slate mutex held by this connection, with its fencing token."""

    def __init__(self, client, name, token):
        self._client = client
        self.name = name
        self.token = token

    def unlock(self):
        self._client.execute_command("SLATE.UNLOCK", self.name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.unlock()
        return False


class Slate(object):
    """Slate's commands over a redis-py client (one connection per Slate: what it holds is held by the connection)."""

    def __init__(self, client):
        # one dedicated connection: takes and locks belong to the connection that made them
        self._client = client if getattr(client, "connection", None) is not None else client.client()

    @property
    def redis(self):
        return self._client

    def tuples(self, name):
        return TupleSpace(self._client, name)

    def getv(self, key):
        reply = self._client.execute_command("SLATE.GETV", key)
        return None if reply is None else Versioned(reply)

    def cas(self, key, version, value):
        """Writes value if the key is at version (0: absent); the new version, or None on conflict."""
        v = self._client.execute_command("SLATE.CAS", key, version, value)
        return None if v == -1 else v

    def wait(self, key, after_version, timeout=0):
        """The key's entry once its version is above after_version; timeout in seconds (0: forever); None on timeout."""
        reply = self._client.execute_command("SLATE.WAIT", key, after_version, "BLOCK", int(round(timeout * 1000)))
        return None if reply is None else Versioned(reply)

    def lock(self, name, timeout=0):
        """A Lock with its fencing token (use it in `with`), waiting up to timeout seconds (0: forever); None on timeout."""
        token = self._client.execute_command("SLATE.LOCK", name, "BLOCK", int(round(timeout * 1000)))
        return None if token is None else Lock(self._client, name, token)

    def counter_add(self, name, delta=1):
        return self._client.execute_command("SLATE.COUNTER.ADD", name, delta)

    def journal(self, after="0", count=100, block=None):
        """Journal records after the stream id `after`, as (id, {field: value}) with str field names."""
        streams = self._client.xread({"slate:journal": after}, count=count, block=block)
        if not streams:
            return []
        return [(i.decode() if isinstance(i, bytes) else i, {k.decode(): v for k, v in f.items()}) for i, f in streams[0][1]]
