#!/usr/bin/env python3
"""cputime.py: the CPU time of a command, to the microsecond (GNU time
prints hundredths of a second, too coarse for a start-up of a few ms).

    cputime.py N COMMAND [ARG...]

Runs COMMAND N times (output discarded) and prints the best and the
median of user+sys in µs, and the best run's user and sys:

    best_us B median_us M user_us U sys_us S runs N
"""
import os
import subprocess
import sys


def main():
    n = int(sys.argv[1])
    cmd = sys.argv[2:]
    runs = []
    for _ in range(n):
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        _, _, ru = os.wait4(p.pid, 0)
        runs.append((ru.ru_utime + ru.ru_stime, ru.ru_utime, ru.ru_stime))
    runs.sort()
    best = runs[0]
    print("best_us %.0f median_us %.0f user_us %.0f sys_us %.0f runs %d" % (
        best[0] * 1e6, runs[len(runs) // 2][0] * 1e6, best[1] * 1e6,
        best[2] * 1e6, n))


if __name__ == "__main__":
    main()
