#!/usr/bin/python3
"""alternate.py N LABEL=COMMAND [LABEL=COMMAND ...]: runs the commands in turn, N rounds (A, B, C, A, B, C, ...), so that
the machine's changes of speed fall on all of them alike, and prints per label the median and minimum CPU time (user +
system of the child, from wait4, to the microsecond) and wall time (fork to exit), in ms, with the load average.
COMMAND is run by bash (`exec COMMAND`); its output is discarded; a failing command is reported on stderr.
For the start-up measurements of issue 17 (docs/benchmarks.md), e.g.
  scripts/lib/alternate.py 20 "main=/tmp/main/scripts/slate get k --space S" "new=scripts/slate get k --space S"
"""
import os
import statistics
import sys
import time

if len(sys.argv) < 3 or not sys.argv[1].isdigit():
    sys.stderr.write(__doc__)
    sys.exit(2)
rounds = int(sys.argv[1])
commands = [a.split("=", 1) for a in sys.argv[2:]]
if any(len(c) != 2 for c in commands):
    sys.stderr.write("alternate.py: every command is LABEL=COMMAND\n")
    sys.exit(2)
results = {label: ([], []) for label, _ in commands}


def run(command):
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        try:
            os.execvp("bash", ["bash", "-c", "exec " + command])
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    if status != 0:
        sys.stderr.write("alternate.py: failed (status %d): %s\n" % (status, command))
    return (usage.ru_utime + usage.ru_stime) * 1000, wall * 1000


for _ in range(rounds):
    for label, command in commands:
        cpu, wall = run(command)
        results[label][0].append(cpu)
        results[label][1].append(wall)
print("load average %s; %d rounds alternating" % (" ".join(open("/proc/loadavg").read().split()[:3]), rounds))
for label, _ in commands:
    cpu, wall = results[label]
    print("%-14s CPU median %6.1f min %6.1f | wall median %6.1f min %6.1f"
          % (label, statistics.median(cpu), min(cpu), statistics.median(wall), min(wall)))
