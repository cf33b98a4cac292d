#!/usr/bin/env python3
"""Where the time goes when a lesson starts a container: a breakdown by phase.

`minidock run` does not exist yet; Lesson04 starts a container through the same Runtime code
`run` will use (cgroup, clone into namespaces, mounts, pivot_root, hostname, exec). This runs it
under `strace -f -ttt` (seccomp-bpf, so only the listed calls stop), several times, and splits
each run at the calls that start a phase. strace slows every traced call, so the phases add up
to more than the untraced total that hyperfine measures; their proportions are what to read.

Usage: bench/phases.py [RUNS]   (root; the release Lesson04 and the busybox rootfs must exist)
Prints JSON: {"runs": N, "phases": [[name, median seconds], ...], "total": median seconds}.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
LESSON = os.path.join(REPO, ".build", "release", "Lesson04")
CALLS = "execve,clone,clone3,socketpair,mount,pivot_root,umount2,sethostname,mkdir,rmdir,exit_group"
LINE = re.compile(r"^(\d+)\s+(\d+\.\d+) (\w+)\((.*)")

PHASES = [
    ("process start (loader, Swift runtime, arguments)", "start", "cgroup"),
    ("cgroup: mkdir + limits", "cgroup", "socketpair"),
    ("clone + join the cgroup + proceed", "socketpair", "child"),
    ("mounts: rootfs bind, /proc, /dev, /sys, devices", "child", "pivot"),
    ("pivot_root + detach the old root", "pivot", "hostname"),
    ("hostname + exec", "hostname", "exec"),
    ("the command itself (`true`)", "exec", "child_exit"),
    ("wait, cgroup rmdir, exit", "child_exit", "end"),
]


def one_run():
    with tempfile.NamedTemporaryFile(prefix="minidock-phases.", suffix=".strace") as out:
        subprocess.run(["strace", "-f", "--seccomp-bpf", "-ttt", "-e", f"trace={CALLS}", "-o", out.name,
                        LESSON, "--quiet", "--memory", "64m", "--pids", "20", "--", "true"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = open(out.name).read().splitlines()
    marks, parent, child = {}, None, None
    for line in lines:
        m = LINE.match(line)
        if not m:
            # "PID TIME +++ exited with 0 +++": the end of a process whose exit_group was not seen.
            if "+++ exited" in line:
                pid, t = int(line.split()[0]), float(line.split()[1])
                if pid == child:
                    marks.setdefault("child_exit", t)
                elif pid == parent:
                    marks.setdefault("end", t)
            continue
        pid, t, call, args = int(m[1]), float(m[2]), m[3], m[4]
        if parent is None:
            parent = pid
            marks["start"] = t
        if pid == parent:
            if call == "mkdir" and "/sys/fs/cgroup" in args:
                marks.setdefault("cgroup", t)
            elif call == "socketpair":
                marks.setdefault("socketpair", t)
            elif call == "exit_group":
                marks["end"] = t
        elif child is None or pid == child:
            child = pid
            marks.setdefault("child", t)
            if call == "pivot_root":
                marks["pivot"] = t
            elif call == "sethostname":
                marks["hostname"] = t
            elif call == "execve":
                marks["exec"] = t
            elif call == "exit_group":
                marks["child_exit"] = t
    marks.setdefault("cgroup", marks.get("socketpair"))
    return marks


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    one_run()  # warm-up
    samples = [one_run() for _ in range(runs)]
    phases = []
    for name, a, b in PHASES:
        values = [s[b] - s[a] for s in samples if a in s and b in s]
        phases.append([name, statistics.median(values) if values else None])
    totals = [s["end"] - s["start"] for s in samples if "end" in s and "start" in s]
    total = statistics.median(totals) if totals else None
    print(json.dumps({"runs": runs, "phases": phases, "total": total}))


if __name__ == "__main__":
    main()
