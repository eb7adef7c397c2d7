#!/usr/bin/env python3
"""Several `embkit neighbors` processes mapping one native file share its pages: starts N
interactive processes (a pseudo-terminal as stdin, so each answers a query as it comes) on the
same .ekv, lets each answer one query (a full scan touches every page), then reads RSS and PSS
(proportional set size: shared pages divided among the processes mapping them) from
/proc/PID/smaps_rollup while they wait for the next query.

  python3 Sources/Benchmarks/shared_pages.py .build/release/embkit vectors.ekv [N]
"""
import os
import pty
import subprocess
import sys
import time

embkit, vectors = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 4
processes, terminals = [], []
for _ in range(count):
    controller, terminal = pty.openpty()
    processes.append(subprocess.Popen([embkit, "neighbors", "--embeddings", vectors, "-k", "3"], stdin=terminal,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
    terminals.append(controller)
for process, controller in zip(processes, terminals):
    os.write(controller, b"king\n")
    for _ in range(4):  # the word and its three neighbours
        process.stdout.readline()
time.sleep(0.5)


def rollup(pid):
    fields = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
            fields[parts[0][:-1]] = int(parts[1])
    return fields


print(f"{count} processes on {vectors}")
print("| process | RSS MiB | PSS MiB | shared file pages MiB |")
print("|---|---|---|---|")
total_pss = 0
for index, process in enumerate(processes):
    fields = rollup(process.pid)
    total_pss += fields["Pss"]
    print(f"| {index + 1} | {fields['Rss'] / 1024:.1f} | {fields['Pss'] / 1024:.1f} | {fields.get('Shared_Clean', 0) / 1024:.1f} |")
print(f"total PSS {total_pss / 1024:.1f} MiB for {count} processes")
for process, controller in zip(processes, terminals):
    os.close(controller)
    process.kill()
    process.wait()
