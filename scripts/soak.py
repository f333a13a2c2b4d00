#!/usr/bin/env python3
"""Soak test: `banyan serve` under a bounded mixed load from this process,
on loopback, for a given time; then checks that nothing failed and nothing
acknowledged was lost.

Usage: scripts/soak.py --banyan PATH [--seconds 600] [--load N] [--json FILE]

The load, all at once until the time is up:
  - 2 REST writers: PUT /api/v1/kv/main/soak/XX/wI-N (a new key each time,
    spread over 256 directories);
  - 1 REST reader: GET of a key already acknowledged, checked byte for byte;
  - 2 SSE watchers on /api/v1/watch/main, reconnecting with Last-Event-ID
    when the server ends a stream;
  - 1 slow SSE watcher, reading a few hundred bytes every 50 ms (far
    behind the writers: the server must hold it to its window, not queue
    every commit for it);
  - 1 `git clone` loop (each clone fsck-checked);
  - 1 `git push` loop: a commit a round onto branch git-side;
  - 1 `banyan push` loop: a `banyan set` a round onto branch banyan-side.
--load N runs N times the REST writers, readers and watchers (default 1).

Every second the server's anonymous resident memory (its heap; mapped pack
files are left out, they grow with the store) and open file descriptors
are sampled from /proc. Three times the load pauses for a quiet window of
30 s (SSE watchers stay connected): once warmed up (a fifth of the run),
at three fifths, and after the run. `banyan serve` gives freed memory back every 10 s, so the
lowest sample of a quiet window is the memory the server keeps at rest
(caches, connections, anything leaked); under load the samples add what
requests and repacks in flight use and free again, which grows with the
store, not with time. At the end: every acknowledged key reads back, the two
pushed branches are at their last acknowledged commits, `git fsck --strict`
is clean while the server runs, the server exits 0 on SIGTERM, and the store
is clean again afterwards. Memory and descriptors must be flat: the memory
at rest after the run no more than the bound above that at rest once warmed
up, and the last descriptor count no more than its bound above the
warmed-up one; --report-memory reports memory without failing on it. Prints a table (and writes JSON with --json);
exits 1 on any failure.
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

TOKEN = "soak-token"
ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null", GIT_AUTHOR_NAME="Soak",
           GIT_AUTHOR_EMAIL="soak@example.com", GIT_COMMITTER_NAME="Soak", GIT_COMMITTER_EMAIL="soak@example.com",
           GIT_TERMINAL_PROMPT="0", BANYAN_TOKEN=TOKEN, LC_ALL="C")
# Memory at rest may grow this much from the warmed-up quiet window (caches filling); descriptors this many.
RSS_BOUND_MB = 64
FD_BOUND = 16
# A quiet window: two of the server's 10 s trims and time for requests in flight to end.
QUIET_SECONDS = 30


def lowest(samples, start, end):
    """The lowest anonymous memory (kB) sampled in [start, end), or None."""
    window = [s[1] for s in samples if start <= s[0] < end]
    return min(window) if window else None


class Soak:
    def __init__(self, banyan, seconds, scratch, load=1):
        self.banyan, self.seconds, self.scratch, self.load = banyan, seconds, scratch, load
        self.store = os.path.join(scratch, "store")
        self.lock = threading.Lock()
        self.counts = {}
        self.failures = []
        self.acked = []          # (key, value) of acknowledged REST writes
        self.pushed = {}         # branch -> last acknowledged commit
        self.samples = []        # (seconds, rss_kb, fds, resident_kb)
        self.running = threading.Event()  # cleared for a quiet window
        self.running.set()
        self.quiet = []          # (start, end) of each quiet window, in the samples' seconds
        self.sampling = threading.Event()  # set to stop the sampler
        self.stop = threading.Event()

    def count(self, kind, ok=True, detail=""):
        with self.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            if not ok:
                self.failures.append(f"{kind}: {detail}"[:400])

    def run(self, *args, cwd=None, check=True):
        result = subprocess.run(list(args), cwd=cwd, env=ENV, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
        return result

    def start(self):
        self.run(self.banyan, "init", self.store)
        self.run(self.banyan, "set", "seed", "0", "-C", self.store)
        # The store keeps Banyan's defaults: packs a repack replaced stay 30 s,
        # and longer while a git process (the fsck below) reads the store.
        self.server = subprocess.Popen([self.banyan, "serve", "-C", self.store, "--port", "0", "--token", TOKEN],
                                       env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = self.server.stderr.readline()
        match = re.search(r"http://([^:/]+):(\d+)/", line)
        if not match:
            raise RuntimeError(f"banyan serve did not start: {line}")
        self.host, self.port = match.group(1), int(match.group(2))
        self.url = f"http://x:{TOKEN}@{self.host}:{self.port}/"
        threading.Thread(target=self.server.stderr.read, daemon=True).start()

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body,
                               headers={"Authorization": f"Bearer {TOKEN}", **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    # The load.

    def writer(self, index):
        n = 0
        while not self.stop.is_set():
            self.running.wait()
            # Spread over 256 directories, as the benchmarks' keys are (BENCHMARKS.md).
            key, value = f"soak/{n % 256:02x}/w{index}-{n}", f"value {index} {n}".encode()
            try:
                status, body = self.request("PUT", f"/api/v1/kv/main/{key}", body=value)
                ok = status in (200, 201, 204)
                self.count("REST write", ok, f"PUT {key}: HTTP {status} {body[:200]!r}")
                if ok:
                    with self.lock:
                        self.acked.append((key, value))
            except Exception as error:  # noqa: BLE001 - every failure is a finding
                self.count("REST write", False, f"PUT {key}: {error}")
            n += 1

    def reader(self):
        while not self.stop.is_set():
            self.running.wait()
            with self.lock:
                chosen = random.choice(self.acked) if self.acked else None
            if not chosen:
                time.sleep(0.05)
                continue
            key, value = chosen
            try:
                status, body = self.request("GET", f"/api/v1/kv/main/{key}")
                self.count("REST read", status == 200 and body == value, f"GET {key}: HTTP {status} {body[:100]!r}")
            except Exception as error:  # noqa: BLE001
                self.count("REST read", False, f"GET {key}: {error}")

    def watcher(self):
        last = None
        while not self.stop.is_set():
            connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "text/event-stream"}
                if last:
                    headers["Last-Event-ID"] = last
                connection.request("GET", "/api/v1/watch/main", headers=headers)
                response = connection.getresponse()
                if response.status != 200:
                    self.count("SSE stream", False, f"HTTP {response.status}")
                    time.sleep(0.5)
                    continue
                self.count("SSE stream")
                while not self.stop.is_set():
                    line = response.fp.readline()
                    if not line:
                        break
                    if line.startswith(b"id:"):
                        last = line[3:].strip().decode()
                        self.count("SSE event")
            except (TimeoutError, OSError) as error:
                if not self.stop.is_set():
                    self.count("SSE stream", False, f"{error}")
            finally:
                connection.close()

    def slow_watcher(self):
        while not self.stop.is_set():
            connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                connection.request("GET", "/api/v1/watch/main", headers={"Authorization": f"Bearer {TOKEN}"})
                response = connection.getresponse()
                self.count("SSE slow stream", response.status == 200, f"HTTP {response.status}")
                while not self.stop.is_set() and response.fp.read(256):
                    self.stop.wait(0.05)
            except (TimeoutError, OSError) as error:
                if not self.stop.is_set():
                    self.count("SSE slow stream", False, f"{error}")
            finally:
                connection.close()

    def cloner(self):
        n = 0
        while not self.stop.is_set():
            self.running.wait()
            target = os.path.join(self.scratch, f"clone-{n}")
            result = self.run("git", "clone", "-q", "--bare", self.url, target, check=False)
            ok = result.returncode == 0
            if ok:
                fsck = self.run("git", "--git-dir", target, "fsck", "--strict", "--no-dangling", check=False)
                ok, detail = fsck.returncode == 0, f"fsck of the clone: {fsck.stderr.strip()}"
            else:
                detail = result.stderr.strip()
            self.count("git clone", ok, detail)
            shutil.rmtree(target, ignore_errors=True)
            n += 1

    def git_pusher(self):
        work = os.path.join(self.scratch, "git-work")
        self.run("git", "clone", "-q", self.url, work)
        self.run("git", "checkout", "-q", "-b", "git-side", cwd=work)
        n = 0
        while not self.stop.is_set():
            self.running.wait()
            with open(os.path.join(work, f"pushed-{n % 50}.txt"), "w") as file:
                file.write(f"round {n}\n")
            self.run("git", "add", ".", cwd=work)
            self.run("git", "commit", "-q", "-m", f"git round {n}", cwd=work)
            head = self.run("git", "rev-parse", "HEAD", cwd=work).stdout.strip()
            result = self.run("git", "push", "-q", "origin", "git-side", cwd=work, check=False)
            self.count("git push", result.returncode == 0, result.stderr.strip())
            if result.returncode == 0:
                with self.lock:
                    self.pushed["git-side"] = head
            n += 1

    def banyan_pusher(self):
        work = os.path.join(self.scratch, "banyan-work")
        self.run(self.banyan, "clone", f"http://{self.host}:{self.port}/", work)
        self.run(self.banyan, "branch", "create", "banyan-side", "-C", work)
        n = 0
        while not self.stop.is_set():
            self.running.wait()
            head = self.run(self.banyan, "set", f"banyan/{n % 50}", f"round {n}", "-b", "banyan-side", "-C", work).stdout.strip()
            result = self.run(self.banyan, "push", "origin", "banyan-side", "-C", work, check=False)
            self.count("banyan push", result.returncode == 0, result.stderr.strip())
            if result.returncode == 0:
                with self.lock:
                    self.pushed["banyan-side"] = head
            n += 1

    def sampler(self):
        started = self.started
        while not self.sampling.is_set():
            try:
                with open(f"/proc/{self.server.pid}/status") as status:
                    text = status.read()
                # Anonymous memory (the heap): resident pages of mapped pack
                # files grow with the store and are the page cache's to drop.
                anonymous = int(re.search(r"RssAnon:\s+(\d+)", text).group(1))
                resident = int(re.search(r"VmRSS:\s+(\d+)", text).group(1))
                fds = len(os.listdir(f"/proc/{self.server.pid}/fd"))
                self.samples.append((round(time.monotonic() - started, 1), anonymous, fds, resident))
            except (OSError, AttributeError):
                pass
            self.sampling.wait(1)

    def rest(self):
        """Pauses the load for a quiet window (watchers stay connected) and records it."""
        self.running.clear()
        start = time.monotonic() - self.started
        time.sleep(QUIET_SECONDS)
        self.quiet.append((start, time.monotonic() - self.started))
        self.running.set()

    def memory_at_rest(self):
        """The lowest anonymous memory (kB) of each quiet window: warmed up, at three fifths, after the run."""
        return [lowest(self.samples, start, end) for start, end in self.quiet]

    # The verdict.

    def verify(self):
        for key, value in self.acked:
            status, body = self.request("GET", f"/api/v1/kv/main/{key}")
            if status != 200 or body != value:
                self.failures.append(f"acknowledged {key} reads HTTP {status} {body[:100]!r}")
        for branch, commit in self.pushed.items():
            head = self.run("git", "--git-dir", self.store, "rev-parse", f"refs/heads/{branch}", check=False).stdout.strip()
            if head != commit:
                self.failures.append(f"{branch} is {head}, not the acknowledged push {commit}")
        fsck = self.run("git", "--git-dir", self.store, "fsck", "--strict", "--no-dangling", check=False)
        if fsck.returncode != 0:
            self.failures.append(f"git fsck while serving: {fsck.stderr.strip()[:400]}")
        self.server.send_signal(signal.SIGTERM)
        code = self.server.wait(timeout=30)
        if code != 0:
            self.failures.append(f"banyan serve exited {code} on SIGTERM")
        fsck = self.run("git", "--git-dir", self.store, "fsck", "--strict", "--no-dangling", check=False)
        if fsck.returncode != 0:
            self.failures.append(f"git fsck after SIGTERM: {fsck.stderr.strip()[:400]}")
        ours = self.run(self.banyan, "fsck", "--no-dangling", "-C", self.store, check=False)
        if ours.returncode != 0:
            self.failures.append(f"banyan fsck after SIGTERM: {ours.stderr.strip()[:400]}")
        at_rest = self.memory_at_rest()
        if None not in at_rest and at_rest[-1] - at_rest[0] > RSS_BOUND_MB * 1024 and self.check_memory:
            self.failures.append(f"memory at rest grew from {at_rest[0] // 1024} MB to {at_rest[-1] // 1024} MB")
        warm = [s for s in self.samples if s[0] >= self.seconds / 5]
        if len(warm) >= 2:
            first, last = warm[0], warm[-1]
            if last[2] - first[2] > FD_BOUND:
                self.failures.append(f"open descriptors grew from {first[2]} to {last[2]}")

    def main(self):
        self.start()
        workers = [threading.Thread(target=self.writer, args=(i,)) for i in range(2 * self.load)]
        workers += [threading.Thread(target=self.reader) for _ in range(self.load)]
        workers += [threading.Thread(target=self.watcher) for _ in range(2 * self.load)]
        workers += [threading.Thread(target=self.slow_watcher) for _ in range(self.load)]
        workers += [threading.Thread(target=f) for f in (self.cloner, self.git_pusher, self.banyan_pusher, self.sampler)]
        self.started = time.monotonic()
        for worker in workers:
            worker.daemon = True
            worker.start()
        time.sleep(self.seconds / 5)
        self.rest()
        time.sleep(self.seconds * 2 / 5)
        self.rest()
        time.sleep(self.seconds * 2 / 5)
        self.stop.set()
        for worker in workers:
            worker.join(timeout=90)
        self.rest()
        self.sampling.set()
        self.verify()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--banyan", required=True)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--load", type=int, default=1, help="how many times the REST writers, readers and watchers to run")
    parser.add_argument("--json")
    parser.add_argument("--report-memory", action="store_true",
                        help="report memory growth without failing on it (descriptors are still checked)")
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="banyan-soak-")
    soak = Soak(os.path.abspath(args.banyan), args.seconds, scratch, max(1, args.load))
    soak.check_memory = not args.report_memory
    try:
        soak.main()
    finally:
        if soak.__dict__.get("server") and soak.server.poll() is None:
            soak.server.kill()
    rss = [s[1] for s in soak.samples]
    fds = [s[2] for s in soak.samples]
    print(f"soak: {args.seconds:g} s against {os.path.basename(args.banyan)} serve, load {soak.load}")
    for kind, number in sorted(soak.counts.items()):
        print(f"  {kind:<12} {number:>8}  ({number / args.seconds:.1f}/s)")
    if rss:
        warm = [s for s in soak.samples if s[0] >= args.seconds / 5] or soak.samples
        at_rest = soak.memory_at_rest()
        if len(at_rest) == 3 and None not in at_rest:
            print(f"  at rest      {at_rest[0] // 1024} MB warmed up, {at_rest[1] // 1024} MB at three fifths, "
                  f"{at_rest[2] // 1024} MB after the run (lowest of each {QUIET_SECONDS} s quiet window; "
                  f"bound +{RSS_BOUND_MB} MB)")
        end = max(s[0] for s in soak.samples)
        peaks = [max((s[1] for s in soak.samples if start <= s[0] < start + 60), default=0) // 1024
                 for start in range(0, int(end) + 1, 60)]
        print("  under load   peak by minute " + ", ".join(map(str, peaks)) + " MB")
        print(f"  anon memory  {min(rss) // 1024} MB min, {max(rss) // 1024} MB max, {rss[-1] // 1024} MB at the end")
        print(f"  resident     {max(s[3] for s in soak.samples) // 1024} MB max, {soak.samples[-1][3] // 1024} MB at the end "
              "(with mapped pack files)")
        print(f"  descriptors  {min(fds)} min, {max(fds)} max; {warm[0][2]} warmed up, {fds[-1]} at the end "
              f"(bound +{FD_BOUND})")
    print(f"  acknowledged {len(soak.acked)} REST writes, pushes {soak.pushed and sorted(soak.pushed)}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"seconds": args.seconds, "counts": soak.counts, "failures": soak.failures,
                       "samples": soak.samples}, out, indent=1)
    shutil.rmtree(scratch, ignore_errors=True)
    if soak.failures:
        print(f"FAILED: {len(soak.failures)} failures; the first ones:")
        for failure in soak.failures[:10]:
            print("  " + failure)
        sys.exit(1)
    print("ok: no failure, nothing acknowledged lost, store clean")


main()
