#!/usr/bin/env python3
"""Peer runs for W1/W2 (git fast-import) and W3 (git cat-file --batch), as in
../../shared/BENCHMARKS.md. Prints one JSON object of figures per workload.

Usage: fast_import.py W1|W2|W3 [--smoke]
"""
import json, os, resource, subprocess, sys, tempfile, time

def key(n):
    return "%02x/k%06d" % (n % 256, n)

def value(tag, n):
    unit = f"{tag}-{n}-"
    return (unit * (100 // len(unit) + 1))[:100]

def commit(out, index, message, sets, parent):
    out.append(f"commit refs/heads/main\nmark :{index + 1}\n")
    out.append(f"author Bench <bench@example.com> {1700000000 + index} +0000\n")
    out.append(f"committer Bench <bench@example.com> {1700000000 + index} +0000\n")
    out.append(f"data {len(message)}\n{message}\n")
    if parent:
        out.append(f"from :{index}\n")
    for k, v in sets:
        out.append(f"M 100644 inline {k}\ndata {len(v)}\n{v}\n")

def history_stream(commits):
    out = []
    for c in range(commits):
        sets = []
        for j in range(5):
            n = ((c * 5 + j) * 7919) % 100000
            sets.append((key(n), value(f"h{c}", n)))
        commit(out, c, f"c{c}", sets, c > 0)
    return "".join(out).encode()

def bulk_stream(keys):
    out = []
    commit(out, 0, "c0", [(key(n), value("b", n)) for n in range(keys)], False)
    return "".join(out).encode()

def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total

def fast_import(stream):
    repo = tempfile.mkdtemp(prefix="peer-")
    subprocess.run(["git", "init", "-q", "--bare", repo], check=True)
    start = time.time()
    subprocess.run(["git", "-C", repo, "fast-import", "--quiet"], input=stream, check=True)
    wall = time.time() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return repo, wall, peak

def main():
    workload = sys.argv[1].upper()
    smoke = "--smoke" in sys.argv
    commits, keys, reads = (200, 2000, 2000) if smoke else (20000, 100000, 100000)
    if workload == "W1":
        stream = history_stream(commits)
        repo, wall, peak = fast_import(stream)
        print(json.dumps({"commits/s": commits / wall, "wall": wall, "disk": du(repo), "peak RSS": peak}))
    elif workload == "W2":
        repo, wall, peak = fast_import(bulk_stream(keys))
        print(json.dumps({"wall": wall, "disk": du(repo)}))
    elif workload == "W3":
        repo, _, _ = fast_import(bulk_stream(keys))
        lines = "".join(f"main:{key((i * 7919) % keys)}\n" for i in range(reads)).encode()
        start = time.time()
        out = subprocess.run(["git", "-C", repo, "cat-file", "--batch"], input=lines, check=True, capture_output=True).stdout
        wall = time.time() - start
        assert out.count(b"\n") >= reads
        print(json.dumps({"reads/s": reads / wall}))

if __name__ == "__main__":
    main()
