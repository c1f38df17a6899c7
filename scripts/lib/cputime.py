#!/usr/bin/python3
"""cputime.py OUT_FILE COMMAND [ARGS...]: runs COMMAND (stdin, stdout and stderr passed through), then writes its
user and system CPU seconds and its wall seconds (from just before its start to its exit), "USER SYS WALL" with
microsecond resolution, to OUT_FILE; exits with COMMAND's status.
For the start-up benchmarks (issue 17): GNU time prints CPU seconds to 10 ms only, a few percent of a JVM start."""
import os
import sys
import time

if len(sys.argv) < 3:
    sys.stderr.write("usage: cputime.py OUT_FILE COMMAND [ARGS...]\n")
    sys.exit(2)
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    except OSError as e:
        sys.stderr.write("cputime.py: cannot run %s: %s\n" % (sys.argv[2], e))
    os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.monotonic() - t0
with open(sys.argv[1], "w") as f:
    f.write("%.6f %.6f %.6f\n" % (usage.ru_utime, usage.ru_stime, wall))
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else (status >> 8))
