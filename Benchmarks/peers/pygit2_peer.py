#!/usr/bin/env python3
"""libgit2 (through pygit2) doing the workloads of ../../shared/BENCHMARKS.md:
W1 and W2 build the same trees and commits, W3 does path lookups on W2's
result, W6 runs four writer processes with fsync enabled. Prints one JSON
object of figures. Needs `pip install pygit2`.

Usage: pygit2_peer.py W1|W2|W3|W6 DIR [--smoke]
"""
import json, multiprocessing, sys, time

import pygit2
from pygit2.enums import FileMode

from fast_import import key, value


def signature(index):
    return pygit2.Signature("Bench", "bench@example.com", 1700000000 + index, 0)


class TreeState:
    """The root tree and its 256 directories, rewritten key by key as Banyan does."""

    def __init__(self, repo):
        self.repo, self.root, self.dirs = repo, None, {}

    def set_all(self, pairs):
        by_dir = {}
        for k, v in pairs:
            d, name = k.split("/")
            by_dir.setdefault(d, []).append((name, v))
        root = self.repo.TreeBuilder(self.repo[self.root]) if self.root else self.repo.TreeBuilder()
        for d, entries in by_dir.items():
            old = self.dirs.get(d)
            builder = self.repo.TreeBuilder(self.repo[old]) if old else self.repo.TreeBuilder()
            for name, v in entries:
                builder.insert(name, self.repo.create_blob(v.encode()), FileMode.BLOB)
            self.dirs[d] = builder.write()
            root.insert(d, self.dirs[d], FileMode.TREE)
        self.root = root.write()
        return self.root


def history(path, commits):
    repo = pygit2.init_repository(path, bare=True)
    state, parents = TreeState(repo), []
    start = time.time()
    for c in range(commits):
        pairs = [(key(n), value(f"h{c}", n)) for n in (((c * 5 + j) * 7919) % 100000 for j in range(5))]
        tree = state.set_all(pairs)
        parents = [repo.create_commit("refs/heads/main", signature(c), signature(c), f"c{c}", tree, parents)]
    wall = time.time() - start
    return {"commits/s": commits / wall, "wall": wall}


def bulk(path, keys):
    repo = pygit2.init_repository(path, bare=True)
    start = time.time()
    tree = TreeState(repo).set_all([(key(n), value("b", n)) for n in range(keys)])
    repo.create_commit("refs/heads/main", signature(0), signature(0), "c0", tree, [])
    return repo, time.time() - start


def reads(path, keys, count):
    repo, _ = bulk(path, keys)
    start = time.time()
    tree = repo.revparse_single("main").tree
    for i in range(count):
        n = (i * 7919) % keys
        if repo[tree[key(n)].id].data != value("b", n).encode():
            raise SystemExit(f"pygit2 read a wrong value at key {n}")
    return {"reads/s": count / (time.time() - start)}


def writer(path, k, commits):
    pygit2.settings.enable_fsync_gitdir(True)
    repo = pygit2.Repository(path)
    state, parents = TreeState(repo), []
    for c in range(commits):
        tree = state.set_all([(key(k), value(f"w{k}", c))])
        parents = [repo.create_commit(f"refs/heads/w{k}", signature(c), signature(c), f"c{c}", tree, parents)]


def durable(path, commits):
    pygit2.init_repository(path, bare=True)
    workers = [multiprocessing.Process(target=writer, args=(path, k, commits)) for k in range(4)]
    start = time.time()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
        if w.exitcode != 0:
            raise SystemExit("a pygit2 writer failed")
    return {"commits/s": 4 * commits / (time.time() - start)}


def main():
    workload, path, smoke = sys.argv[1].upper(), sys.argv[2], "--smoke" in sys.argv
    commits, keys, reads_count, durable_commits = (200, 2000, 2000, 10) if smoke else (20000, 100000, 100000, 250)
    if workload == "W1":
        figures = history(path, commits)
    elif workload == "W2":
        figures = {"wall": bulk(path, keys)[1]}
    elif workload == "W3":
        figures = reads(path, keys, reads_count)
    elif workload == "W6":
        figures = durable(path, durable_commits)
    else:
        raise SystemExit(f"unknown workload {workload} (W1, W2, W3, W6)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
