#!/usr/bin/env python3
"""How long a ref change takes to reach watchers (issue 17, item 5).

Usage: scripts/ref-change-latency.py --banyan PATH [--rounds 20]

Starts `banyan serve` on a new store, follows its SSE stream
(/api/v1/watch/main) and a `banyan watch --json` process on the same store,
then moves `main` through four write paths, one at a time:

  - a REST write (PUT /api/v1/kv/main/...), through the server itself;
  - `banyan set` in another process (the server learns of it by inotify);
  - `git push` to the server (receive-pack);
  - `git update-ref` in the store (git itself, another process).

For each change it notes when the write started, when it returned, and when
each watcher saw the new commit (matched by commit id). A watcher can see the
change before the writing process has exited, so the latency lies between
"seen - returned" and "seen - started"; both are printed (median and max, in
milliseconds). Exits 1 when a change never arrives within 10 s.
"""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ENV = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}


class Seen:
    """Commit id -> the monotonic time each watcher first saw it."""

    def __init__(self):
        self.times = {}
        self.condition = threading.Condition()

    def note(self, watcher, commit):
        with self.condition:
            self.times.setdefault((watcher, commit), time.monotonic())
            self.condition.notify_all()

    def wait(self, watcher, commit, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self.condition:
            while (watcher, commit) not in self.times:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.condition.wait(left)
            return self.times[(watcher, commit)]


def run(*args, cwd=None):
    result = subprocess.run(list(args), cwd=cwd, env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout.strip()


def follow_sse(host, port, seen):
    connection = http.client.HTTPConnection(host, port, timeout=None)
    connection.request("GET", "/api/v1/watch/main", headers={"Accept": "text/event-stream"})
    response = connection.getresponse()
    while True:
        line = response.fp.readline()
        if not line:
            return
        if line.startswith(b"id:"):
            seen.note("SSE", line[3:].strip().decode())


def follow_watch(process, seen):
    for line in process.stdout:
        try:
            seen.note("banyan watch", json.loads(line)["new"])
        except (ValueError, KeyError):
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--banyan", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args()
    banyan = os.path.abspath(options.banyan)

    scratch = tempfile.mkdtemp(prefix="banyan-latency-")
    store = os.path.join(scratch, "store")
    run(banyan, "init", store)
    run(banyan, "set", "seed", "0", "-C", store)
    server = subprocess.Popen([banyan, "serve", "-C", store, "--port", "0"], env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    match = re.search(r"http://([^:/]+):(\d+)/", server.stderr.readline())
    if not match:
        sys.exit("banyan serve did not start")
    host, port = match.group(1), int(match.group(2))
    threading.Thread(target=server.stderr.read, daemon=True).start()
    watch = subprocess.Popen([banyan, "watch", "--json", "-C", store], env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen = Seen()
    threading.Thread(target=follow_sse, args=(host, port, seen), daemon=True).start()
    threading.Thread(target=follow_watch, args=(watch, seen), daemon=True).start()
    time.sleep(1.0)

    work = os.path.join(scratch, "git-work")
    run("git", "clone", "-q", f"http://{host}:{port}/", work)
    counter = iter(range(1_000_000))

    def rest_write():
        n = next(counter)
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request("PUT", f"/api/v1/kv/main/latency/rest-{n}", body=f"{n}".encode())
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if response.status not in (200, 201, 204):
            raise RuntimeError(f"PUT answered HTTP {response.status}")
        ids = re.findall(r'"([0-9a-f]{40})"', body.decode()) or re.findall(r'"([0-9a-f]{40})"', response.getheader("ETag") or "")
        if not ids:
            raise RuntimeError(f"PUT named no commit: {body[:200]!r}")
        return ids[0]

    def banyan_set():
        return run(banyan, "set", f"latency/cli-{next(counter)}", "x", "-C", store)

    def git_push():
        run("git", "pull", "-q", "--ff-only", "origin", "main", cwd=work)
        with open(os.path.join(work, "pushed.txt"), "w") as file:
            file.write(f"{next(counter)}\n")
        run("git", "add", ".", cwd=work)
        run("git", "commit", "-q", "-m", "push", cwd=work)
        run("git", "push", "-q", "origin", "HEAD:main", cwd=work)
        return run("git", "rev-parse", "HEAD", cwd=work)

    def git_update_ref():
        # A commit that adds a key (watches report commits that change keys),
        # made with a scratch index.
        n = next(counter)
        head = run("git", "--git-dir", store, "rev-parse", "main")
        index = {**ENV, "GIT_INDEX_FILE": os.path.join(scratch, "index")}
        git = ["git", "--git-dir", store]
        subprocess.run(git + ["read-tree", "main"], env=index, check=True)
        blob = subprocess.run(git + ["hash-object", "-w", "--stdin"], input=f"{n}\n", env=index, check=True,
                              capture_output=True, text=True).stdout.strip()
        subprocess.run(git + ["update-index", "--add", "--cacheinfo", f"100644,{blob},latency/git-{n}"], env=index, check=True)
        tree = subprocess.run(git + ["write-tree"], env=index, check=True, capture_output=True, text=True).stdout.strip()
        commit = run("git", "--git-dir", store, "commit-tree", tree, "-p", head, "-m", f"git {n}")
        # Only the ref move is timed: the commit is made first.
        return commit, lambda: run("git", "--git-dir", store, "update-ref", "refs/heads/main", commit, head)

    paths = [("REST write", rest_write), ("banyan set (another process)", banyan_set),
             ("git push to the server", git_push), ("git update-ref (another process)", git_update_ref)]
    failed = False
    print(f"| write path | watcher | seen − returned, median (max) | seen − started, median (max) | rounds |")
    print("|---|---|---|---|---|")
    for name, write in paths:
        results = {"SSE": [], "banyan watch": []}
        for _ in range(options.rounds):
            if write is git_update_ref:
                commit, move = write()
                started = time.monotonic()
                move()
            else:
                started = time.monotonic()
                commit = write()
            returned = time.monotonic()
            for watcher, figures in results.items():
                at = seen.wait(watcher, commit)
                if at is None:
                    print(f"{name}: {watcher} never saw {commit}", file=sys.stderr)
                    failed = True
                    continue
                figures.append(((at - returned) * 1000, (at - started) * 1000))
            time.sleep(0.2)
        for watcher, figures in results.items():
            if not figures:
                continue
            after_return = [f[0] for f in figures]
            after_start = [f[1] for f in figures]
            print(f"| {name} | {watcher} | {statistics.median(after_return):.1f} ({max(after_return):.1f}) ms"
                  f" | {statistics.median(after_start):.1f} ({max(after_start):.1f}) ms | {len(figures)} |")

    watch.terminate()
    server.terminate()
    server.wait(timeout=10)
    watch.wait(timeout=10)
    subprocess.run(["rm", "-rf", scratch])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
