#!/usr/bin/env python3
"""Runs the workloads of ../../shared/BENCHMARKS.md on Banyan (the release
`banyan-bench --json`) and on its peers in one invocation, alternating a
Banyan run and the peers' runs, and prints one table: workload, figure,
Banyan, peer, ratio (median of the runs, with min and max of the per-run
ratios), the target and whether it is met.

Peers: git fast-import (W1, W2), libgit2 through pygit2 (W1, W2, W3, W6),
git cat-file --batch (W3), git merge-tree --write-tree (W4), git clone from
git daemon (W5). Peak RSS by /usr/bin/time -v, disk by `du -sb`.

Usage: run.py [W1 W2 ...] [--runs N] [--smoke] [--bench PATH] [--pygit2-w1-runs N] [--json FILE]
Needs: a release build (swift build -c release --static-swift-stdlib --product banyan-bench --product banyan),
git, /usr/bin/time (apt install time), pygit2 (pip install pygit2).
"""
import argparse, json, os, shutil, socket, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fast_import import bulk_stream, history_stream, key, value  # noqa: E402

GIT_ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")


def du(path):
    return int(subprocess.run(["du", "-sb", path], check=True, capture_output=True, text=True).stdout.split()[0])


def timed(args, stdin=None, cwd=None):
    """Runs args under /usr/bin/time -v: (wall s, peak RSS bytes, stdout bytes, user+system CPU s)."""
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.time()
        done = subprocess.run(["/usr/bin/time", "-v", "-o", report.name] + args, input=stdin, cwd=cwd,
                              env=GIT_ENV, check=True, capture_output=True)
        wall = time.time() - start
        rss, cpu = 0, 0.0
        for line in report.read().splitlines():
            if "Maximum resident set size" in line:
                rss = int(line.split(":")[1]) * 1024
            elif "User time (seconds)" in line or "System time (seconds)" in line:
                cpu += float(line.split(":")[1])
    return wall, rss, done.stdout, cpu


def git(*args, stdin=None):
    subprocess.run(["git"] + list(args), input=stdin, env=GIT_ENV, check=True, capture_output=True)


def fast_import(stream, scratch):
    repo = tempfile.mkdtemp(prefix="fi-", dir=scratch)
    git("init", "-q", "--bare", repo)
    wall, rss, _, _ = timed(["git", "-C", repo, "fast-import", "--quiet"], stdin=stream)
    return repo, wall, rss


def banyan_fast_import(banyan, stream, scratch, reference):
    """`banyan fast-import` on `stream` in a fresh store, process against
    git's process; its main must be git's (`reference`, a git repository)."""
    store = tempfile.mkdtemp(prefix="bfi-", dir=scratch)
    subprocess.run([banyan, "init", store], check=True, capture_output=True)
    wall, rss, _, _ = timed([banyan, "fast-import", "--quiet", "-C", store], stdin=stream)
    ours = subprocess.run(["git", "-C", store, "rev-parse", "main"], capture_output=True, text=True, check=True).stdout
    theirs = subprocess.run(["git", "-C", reference, "rev-parse", "main"], capture_output=True, text=True, check=True).stdout
    if ours != theirs:
        raise SystemExit(f"banyan fast-import made main {ours.strip()}, git fast-import {theirs.strip()}")
    return wall, rss


def merge_stream(keys, merge_keys):
    """W2's commit, then branch a and branch b as in W4."""
    out = [bulk_stream(keys).decode()]
    for branch, tag, ns, mark in (("a", "a", range(merge_keys), 2), ("b", "b2", range(keys // 2, keys // 2 + merge_keys), 3)):
        out.append(f"commit refs/heads/{branch}\nmark :{mark}\n")
        out.append("author Bench <bench@example.com> 1700000001 +0000\ncommitter Bench <bench@example.com> 1700000001 +0000\n")
        out.append(f"data 1\n{branch}\nfrom :1\n")
        for n in ns:
            v = value(tag, n)
            out.append(f"M 100644 inline {key(n)}\ndata {len(v)}\n{v}\n")
    return "".join(out).encode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Runner:
    def __init__(self, args):
        self.args, self.smoke = args, args.smoke
        self.commits, self.keys, self.reads, self.merge_keys = (200, 2000, 2000, 50) if args.smoke else (20000, 100000, 100000, 1000)

    @property
    def banyan_cli(self):
        return os.path.join(os.path.dirname(self.args.bench), "banyan")

    def banyan(self, workload):
        cmd = [self.args.bench, workload, "--runs", "1", "--json"] + (["--smoke"] if self.smoke else [])
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        return {name: s["median"] for name, s in json.loads(out)[workload].items()}

    def pygit2(self, workload, scratch):
        path = os.path.join(scratch, "pygit2-" + workload)
        cmd = [sys.executable, os.path.join(HERE, "pygit2_peer.py"), workload, path] + (["--smoke"] if self.smoke else [])
        wall, rss, out, _ = timed(cmd)
        figures = json.loads(out)
        figures["peak RSS"], figures["disk"] = rss, du(path)
        return figures

    def peers(self, workload, scratch, run):
        p = {}
        if workload == "W1":
            stream = history_stream(self.commits)
            repo, wall, rss = fast_import(stream, scratch)
            p["fast-import"] = {"commits/s": self.commits / wall, "peak RSS": rss, "disk": du(repo)}
            wall, rss = banyan_fast_import(self.banyan_cli, stream, scratch, repo)
            p["banyan process"] = {"banyan fast-import commits/s": self.commits / wall, "banyan fast-import peak RSS": rss}
            if run < self.args.pygit2_w1_runs:
                p["pygit2"] = self.pygit2("W1", scratch)
        elif workload == "W2":
            stream = bulk_stream(self.keys)
            repo, wall, rss = fast_import(stream, scratch)
            p["fast-import"] = {"wall": wall, "peak RSS": rss, "disk": du(repo)}
            wall, rss = banyan_fast_import(self.banyan_cli, stream, scratch, repo)
            p["banyan process"] = {"banyan fast-import wall": wall}
            p["pygit2"] = self.pygit2("W2", scratch)
        elif workload == "W3":
            repo, _, _ = fast_import(bulk_stream(self.keys), scratch)
            lines = "".join(f"main:{key((i * 7919) % self.keys)}\n" for i in range(self.reads)).encode()
            wall, _, out, _ = timed(["git", "-C", repo, "cat-file", "--batch"], stdin=lines)
            if out.count(b" blob 100\n") != self.reads:
                raise SystemExit("git cat-file --batch did not return every value")
            p["cat-file --batch"] = {"reads/s": self.reads / wall}
            p["pygit2"] = self.pygit2("W3", scratch)
        elif workload == "W4":
            repo, _, _ = fast_import(merge_stream(self.keys, self.merge_keys), scratch)
            wall, rss, _, cpu = timed(["git", "-C", repo, "merge-tree", "--write-tree", "a", "b"])
            p["merge-tree"] = {"wall": wall, "peak RSS": rss, "cpu": cpu}
        elif workload == "W5":
            repo, _, _ = fast_import(history_stream(self.commits), scratch)
            port = free_port()
            daemon = subprocess.Popen(["git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1",
                                       f"--port={port}", f"--base-path={scratch}", scratch], env=GIT_ENV,
                                      stderr=subprocess.DEVNULL)
            try:
                url = f"git://127.0.0.1:{port}/{os.path.basename(repo)}"
                for _ in range(100):  # wait until it listens
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=1).close()
                        break
                    except OSError:
                        time.sleep(0.1)
                clone = os.path.join(scratch, "daemon-clone")
                wall, rss, _, _ = timed(["git", "clone", "--bare", "-q", url, clone])
                p["git clone from git daemon"] = {"wall": wall, "peak RSS": rss, "disk": du(clone)}
                # git with its own reachability bitmaps: the same store after `git repack -adb` (not timed).
                subprocess.run(["git", "-C", repo, "repack", "-adbq"], env=GIT_ENV, check=True)
                clone = os.path.join(scratch, "daemon-clone-bitmaps")
                wall, rss, _, _ = timed(["git", "clone", "--bare", "-q", url, clone])
                p["git clone from git daemon, repack -adb"] = {"wall": wall, "peak RSS": rss, "disk": du(clone)}
                heads = {subprocess.run(["git", "-C", d, "rev-parse", "main"], env=GIT_ENV, check=True,
                                        capture_output=True).stdout for d in (repo, clone)}
                if len(heads) != 1:
                    raise SystemExit("W5: the clone from git daemon does not have the source's main")
            finally:
                daemon.terminate()
                daemon.wait()
        elif workload == "W6":
            p["pygit2 fsync"] = self.pygit2("W6", scratch)
        elif workload == "W9":
            p["git"], p["banyan process"] = self.plumbing(scratch)
        return p

    def plumbing(self, scratch):
        """W9: the CLI's inspection commands against git's, process against
        process, on the same stores (W2's and W1's, made by fast-import), each
        pair alternating, git first; each answer checked against git's."""
        banyan = self.banyan_cli
        w2, _, _ = fast_import(bulk_stream(self.keys), scratch)
        w1, _, _ = fast_import(history_stream(self.commits), scratch)
        listing = subprocess.run(["git", "-C", w2, "ls-tree", "-r", "main"], env=GIT_ENV, check=True,
                                 capture_output=True).stdout.splitlines()
        blob_ids = b"".join(line.split()[2] + b"\n" for line in listing)
        key_lines = "".join(f"main:{key((i * 7919) % self.keys)}\n" for i in range(self.reads)).encode()
        one_key = key(self.keys // 3)
        # (figure, git's command, Banyan's command, stdin, how to compare the outputs)
        pairs = [
            ("cat-file --batch, main:<key>", ["git", "-C", w2, "cat-file", "--batch"],
             [banyan, "cat-file", "--batch", "-C", w2], key_lines, "same"),
            ("cat-file --batch-check, main:<key>", ["git", "-C", w2, "cat-file", "--batch-check"],
             [banyan, "cat-file", "--batch-check", "-C", w2], key_lines, "same"),
            ("cat-file --batch, blob ids", ["git", "-C", w2, "cat-file", "--batch"],
             [banyan, "cat-file", "--batch", "-C", w2], blob_ids, "same"),
            ("cat-file --batch-check, blob ids", ["git", "-C", w2, "cat-file", "--batch-check"],
             [banyan, "cat-file", "--batch-check", "-C", w2], blob_ids, "same"),
            ("ls -r", ["git", "-C", w2, "ls-tree", "-r", "--name-only", "main"],
             [banyan, "ls", "-r", "-b", "main", "-C", w2], None, "same"),
            ("log, 20,000 commits", ["git", "-C", w1, "log", "main"],
             [banyan, "log", "main", "-C", w1], None, "same"),
            ("one get", ["git", "-C", w2, "cat-file", "-p", f"main:{one_key}"],
             [banyan, "get", one_key, "-b", "main", "-C", w2], None, "same"),
            ("start-up and open (rev-parse)", ["git", "-C", w2, "rev-parse", "main"],
             [banyan, "rev-parse", "main", "-C", w2], None, "same"),
        ]
        git_figures, banyan_figures = {}, {}
        for figure, git_cmd, banyan_cmd, stdin, _ in pairs:
            # One-shot commands take milliseconds: the median of 20 runs each.
            repeat = 20 if stdin is None and "log" not in figure and "ls" not in figure else 1
            git_walls, banyan_walls = [], []
            for _ in range(repeat):
                wall, _, theirs, _ = timed(git_cmd, stdin=stdin)
                git_walls.append(wall)
                wall, _, ours, _ = timed(banyan_cmd, stdin=stdin)
                banyan_walls.append(wall)
                if ours != theirs:
                    raise SystemExit(f"W9 {figure}: banyan's output differs from git's "
                                     f"({len(ours)} bytes against {len(theirs)})")
            git_figures[figure] = statistics.median(git_walls)
            banyan_figures[figure] = statistics.median(banyan_walls)
        return git_figures, banyan_figures


# (workload, label, Banyan figure, peer, peer figure, higher is better, target ratio or None)
ROWS = [
    ("W1", "commits/s", "commits/s", "fast-import", "commits/s", True, 3.0),
    ("W1", "commits/s", "commits/s", "pygit2", "commits/s", True, None),
    ("W1", "commits/s, a transaction each", "commits/s, a transaction each", "fast-import", "commits/s", True, None),
    ("W1", "banyan fast-import process", "banyan fast-import commits/s", "fast-import", "commits/s", True, None),
    ("W1", "banyan fast-import peak RSS", "banyan fast-import peak RSS", "fast-import", "peak RSS", False, None),
    ("W1", "peak RSS (commits)", "peak RSS of the commits", "fast-import", "peak RSS", False, 2.0),
    ("W1", "disk after flush", "disk after flush", "fast-import", "disk", False, None),
    ("W1", "disk after gc", "disk after gc", "fast-import", "disk", False, 1.5),
    ("W2", "wall", "wall", "fast-import", "wall", False, 0.5),
    ("W2", "wall", "wall", "pygit2", "wall", False, None),
    ("W2", "banyan fast-import process", "banyan fast-import wall", "fast-import", "wall", False, None),
    ("W2", "disk", "disk", "fast-import", "disk", False, None),
    ("W3", "reads/s", "reads/s", "pygit2", "reads/s", True, 5.0),
    ("W3", "reads/s", "reads/s", "cat-file --batch", "reads/s", True, 2.0),
    ("W4", "library merge wall", "merge wall", "merge-tree", "wall", False, 0.5),
    ("W4", "merge CPU (user+sys)", "merge cpu", "merge-tree", "cpu", False, None),
    ("W4", "banyan merge process", "banyan merge process wall", "merge-tree", "wall", False, None),
    ("W5", "banyan clone wall", "banyan clone wall", "git clone from git daemon", "wall", False, 1.0),
    ("W5", "git clone from banyan serve", "git clone from banyan serve wall", "git clone from git daemon", "wall", False, None),
    ("W5", "clone disk", "banyan clone disk", "git clone from git daemon", "disk", False, None),
    ("W5", "banyan clone wall, both gc'd with bitmaps", "banyan clone wall, gc'd (bitmaps)",
     "git clone from git daemon, repack -adb", "wall", False, 0.5),
    ("W5", "git clone from banyan serve, both with bitmaps", "git clone from banyan serve wall, gc'd (bitmaps)",
     "git clone from git daemon, repack -adb", "wall", False, None),
    ("W5", "banyan clone peak RSS", "banyan clone peak RSS, gc'd (bitmaps)",
     "git clone from git daemon, repack -adb", "peak RSS", False, 1.5),
    ("W6", "commits/s", "commits/s", "pygit2 fsync", "commits/s", True, 4.0),
] + [("W9", figure, figure, "git", figure, False, 0.5) for figure in (
    "cat-file --batch, main:<key>", "cat-file --batch-check, main:<key>", "cat-file --batch, blob ids",
    "cat-file --batch-check, blob ids", "ls -r", "log, 20,000 commits", "one get", "start-up and open (rev-parse)")]


def fmt(v, figure):
    if "RSS" in figure or "disk" in figure:
        return f"{v / 1e6:,.1f} MB"
    if "/s" in figure:
        return f"{v:,.0f}"
    return f"{v * 1000:.1f} ms" if v < 0.1 else f"{v:.3f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workloads", nargs="*", default=["W1", "W2", "W3", "W4", "W5", "W6"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (checks the script, not the speed)")
    parser.add_argument("--bench", default=os.path.join(HERE, "../../.build/release/banyan-bench"))
    parser.add_argument("--pygit2-w1-runs", type=int, default=1, help="pygit2's W1 takes minutes; runs of it (default 1)")
    parser.add_argument("--json", help="also write every sample to this file")
    args = parser.parse_args()
    if not shutil.which("/usr/bin/time"):
        raise SystemExit("/usr/bin/time is missing: apt-get install time")
    runner = Runner(args)
    samples = {}  # workload -> list of (banyan figures, {peer: figures})
    for workload in [w.upper() for w in args.workloads]:
        for run in range(args.runs):
            scratch = tempfile.mkdtemp(prefix="banyan-peers-")
            try:
                banyan = {} if workload == "W9" else runner.banyan(workload)  # W9 is processes only
                peers = runner.peers(workload, scratch, run)
                banyan.update(peers.pop("banyan process", {}))  # Banyan's CLI, timed beside its peer
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            samples.setdefault(workload, []).append((banyan, peers))
            print(f"{workload} run {run + 1}/{args.runs}: banyan {banyan} peers {peers}", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(samples, f, indent=1)
    print("| workload | figure | Banyan | peer | peer value | ratio (min–max) | target | met |")
    print("|---|---|---|---|---|---|---|---|")
    for workload, label, mine, peer, theirs, higher, target in ROWS:
        pairs = [(b[mine], p[peer][theirs]) for b, p in samples.get(workload, []) if mine in b and peer in p]
        if not pairs:
            continue
        ratios = [b / t for b, t in pairs]
        ratio = statistics.median(ratios)
        bmed, pmed = statistics.median(b for b, _ in pairs), statistics.median(t for _, t in pairs)
        goal = "" if target is None else (f"≥ {target:g}×" if higher else f"≤ {target:g}×")
        met = "" if target is None else ("yes" if (ratio >= target if higher else ratio <= target) else "no")
        print(f"| {workload} | {label} | {fmt(bmed, mine)} | {peer} | {fmt(pmed, theirs)} | "
              f"{ratio:.2f}× ({min(ratios):.2f}–{max(ratios):.2f}) | {goal} | {met} |")


if __name__ == "__main__":
    main()
