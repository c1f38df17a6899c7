"""Tests of slate_redis against a running `slate serve` (port in SLATE_GATEWAY_PORT); the Maven build starts the gateway
and runs them (GwClientHelpersTest)."""
import os
import threading
import time
import unittest

import redis

from slate_redis import ANY, Slate

PORT = int(os.environ["SLATE_GATEWAY_PORT"])


def connect():
    return Slate(redis.Redis(port=PORT, socket_timeout=15))


class TuplesTest(unittest.TestCase):
    def test_typed_fields_round_trip(self):
        s = connect()
        jobs = s.tuples("py-helpers")
        tid = jobs.out("alert", 7, 0.5, True, b"\x00\xff", "42", "?x")
        self.assertGreater(tid, 0)
        self.assertEqual(jobs.rdp(("alert", int, float, bool, bytes, str, str)), ("alert", 7, 0.5, True, b"\x00\xff", "42", "?x"))
        self.assertEqual(jobs.count(("alert", ANY, ANY, ANY, ANY, ANY, ANY)), 1)
        self.assertIsNone(jobs.rdp(("alert", str, ANY, ANY, ANY, ANY, ANY)))
        self.assertEqual(jobs.inp(("alert", 7, 0.5, True, ANY, "42", "?x"))[0:3], ("alert", 7, 0.5))
        self.assertIsNone(jobs.inp(("alert", 7, 0.5, True, ANY, "42", "?x")))

    def test_take_with_ack_and_return_on_drop(self):
        a, b = connect(), connect()
        jobs_a, jobs_b = a.tuples("py-acks"), b.tuples("py-acks")
        jobs_a.out("job", 1)
        t = jobs_b.take_with_ack(("job", int))
        self.assertEqual(t.fields, ("job", 1))
        self.assertIsNone(jobs_a.rdp(("job", int)))
        b.redis.connection.disconnect()  # the taker's connection drops before the ack
        deadline = time.time() + 5
        back = None
        while back is None and time.time() < deadline:
            back = jobs_a.rdp(("job", int))
            time.sleep(0.01)
        self.assertEqual(back, ("job", 1))
        with jobs_a.take_with_ack(("job", int), timeout=2) as t:
            self.assertTrue(t.ack())
        self.assertIsNone(jobs_a.rdp(("job", int)))
        self.assertIsNone(jobs_a.take_with_ack(("job", int), timeout=0.05))

    def test_exception_inside_with_releases(self):
        s = connect()
        jobs = s.tuples("py-release")
        jobs.out("job", 2)
        try:
            with jobs.take_with_ack(("job", int)) as t:
                raise RuntimeError("processing failed")
        except RuntimeError:
            pass
        self.assertEqual(jobs.rdp(("job", int)), ("job", 2))

    def test_blocking_take_wakes_on_out(self):
        a, b = connect(), connect()
        threading.Timer(0.2, lambda: b.tuples("py-block").out("later", 3)).start()
        t = a.tuples("py-block").take_with_ack(("later", int), timeout=10)
        self.assertEqual(t.fields, ("later", 3))
        t.ack()


class VersionsAndLocksTest(unittest.TestCase):
    def test_getv_cas_wait(self):
        s = connect()
        s.redis.set("py-h:k", "a")
        v = s.getv("py-h:k")
        self.assertEqual((v.value, v.version, v.removed), (b"a", 1, False))
        self.assertIsNone(s.cas("py-h:k", 0, "b"))
        self.assertEqual(s.cas("py-h:k", 1, "b"), 2)
        other = connect()
        threading.Timer(0.2, lambda: other.redis.set("py-h:k", "c")).start()
        w = s.wait("py-h:k", 2, timeout=10)
        self.assertEqual((w.value, w.version), (b"c", 3))
        self.assertIsNone(s.wait("py-h:k", 3, timeout=0.05))
        self.assertIsNone(s.getv("py-h:none"))

    def test_lock_fencing_tokens(self):
        a, b = connect(), connect()
        with a.lock("py-h:drone", timeout=2) as l1:
            self.assertIsNone(b.lock("py-h:drone", timeout=0.05))
        l2 = b.lock("py-h:drone", timeout=2)
        self.assertGreater(l2.token, l1.token)
        l2.unlock()
        self.assertEqual(a.counter_add("py-h:visits", 5), 5)

    def test_journal(self):
        s = connect()
        s.redis.set("py-h:j", "1")
        records = s.journal(after="0", count=100000)
        self.assertTrue(any(f["key"] == b"py-h:j" and f["op"] == b"put" for _, f in records))


if __name__ == "__main__":
    unittest.main()
