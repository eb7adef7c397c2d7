#!/usr/bin/env python3
"""Several `embkit neighbors` processes mapping one native file share its pages: starts N
interactive processes (a pseudo-terminal as stdin, so each answers a query as it comes) on the
same .ekv, lets each answer one query (a full scan touches every page), then reads RSS and PSS
(proportional set size: shared pages divided among the processes mapping them) from
/proc/PID/smaps_rollup while they wait for the next query.

  python3 Sources/Benchmarks/shared_pages.py .build/release/embkit vectors.ekv [N] [--serve]

With --serve it starts N `embkit serve` processes instead (each on a free loopback port) and
asks each for one /neighbors answer before reading the figures.
"""
import json
import os
import pty
import re
import subprocess
import sys
import time
import urllib.request

serve = "--serve" in sys.argv
arguments = [argument for argument in sys.argv[1:] if argument != "--serve"]
embkit, vectors = arguments[0], arguments[1]
count = int(arguments[2]) if len(arguments) > 2 else 4
processes, terminals = [], []


def start_neighbor_processes():
    for _ in range(count):
        controller, terminal = pty.openpty()
        processes.append(subprocess.Popen([embkit, "neighbors", "--embeddings", vectors, "-k", "3"], stdin=terminal,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        terminals.append(controller)
    for process, controller in zip(processes, terminals):
        os.write(controller, b"king\n")
        for _ in range(4):  # the word and its three neighbours
            process.stdout.readline()


def start_servers():
    for _ in range(count):
        processes.append(subprocess.Popen([embkit, "serve", "--embeddings", f"vectors={vectors}", "--port", "0"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    for process in processes:
        address = None
        while address is None:  # loading lines, then "embkit: serving vectors on http://127.0.0.1:PORT"
            line = process.stderr.readline()
            if not line:
                sys.exit("embkit serve stopped before it announced its port")
            address = re.search(r"http://\S+", line)
        address = address.group(0)
        with urllib.request.urlopen(f"{address}/neighbors?word=king&k=3") as answer:
            json.load(answer)


def rollup(pid):
    fields = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
            fields[parts[0][:-1]] = int(parts[1])
    return fields


try:
    start_servers() if serve else start_neighbor_processes()
    time.sleep(0.5)
    print(f"{count} {'serve' if serve else 'neighbors'} processes on {vectors}")
    print("| process | RSS MiB | PSS MiB | shared file pages MiB |")
    print("|---|---|---|---|")
    total_pss = 0
    for index, process in enumerate(processes):
        fields = rollup(process.pid)
        total_pss += fields["Pss"]
        print(f"| {index + 1} | {fields['Rss'] / 1024:.1f} | {fields['Pss'] / 1024:.1f} | {fields.get('Shared_Clean', 0) / 1024:.1f} |")
    print(f"total PSS {total_pss / 1024:.1f} MiB for {count} processes")
finally:
    for controller in terminals:
        os.close(controller)
    for process in processes:
        process.kill()
        process.wait()
