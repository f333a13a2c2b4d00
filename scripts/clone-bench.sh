#!/usr/bin/env bash
# W5 (../shared/BENCHMARKS.md): clone W1's repository over HTTP on loopback.
# Builds W1 (20,000 commits, 5 keys each) with git fast-import from the
# stream Benchmarks/peers/fast_import.py generates, packs it with `git gc`,
# then times three clones of it, median of RUNS (default 3):
#   git clone --bare   from git daemon            (the peer)
#   git clone --bare   from banyan serve          (git to Banyan)
#   banyan clone       from banyan serve          (Banyan to Banyan)
# and prints a table (wall seconds, size of the clone on disk).
#
# Usage: scripts/clone-bench.sh BANYAN_BINARY [COMMITS] [RUNS]
# Needs git, python3 and curl. Removes everything it made on exit.
set -euo pipefail

banyan=$(realpath "${1:?usage: scripts/clone-bench.sh BANYAN_BINARY [COMMITS] [RUNS]}")
commits=${2:-20000}
runs=${3:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/banyan-clone-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "building W1 ($commits commits) with git fast-import..." >&2
git init -q --bare "$work/w1.git"
PYTHONPATH="$root/Benchmarks/peers" python3 -c \
  "import sys, fast_import; sys.stdout.buffer.write(fast_import.history_stream($commits))" |
  git -C "$work/w1.git" fast-import --quiet
git -C "$work/w1.git" symbolic-ref HEAD refs/heads/main
git -C "$work/w1.git" gc -q
echo "W1: $(git -C "$work/w1.git" rev-list --count main) commits, $(du -sb "$work/w1.git" | cut -f1) bytes packed" >&2

daemon_port=$(free_port)
git daemon --reuseaddr --export-all --base-path="$work" --listen=127.0.0.1 --port="$daemon_port" "$work" \
  2>"$work/daemon.log" &
pids+=($!)
serve_port=$(free_port)
"$banyan" serve -C "$work/w1.git" --port "$serve_port" 2>"$work/serve.log" &
pids+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$serve_port/info/refs?service=git-upload-pack" >/dev/null &&
    git ls-remote "git://127.0.0.1:$daemon_port/w1.git" >/dev/null 2>&1 && break
  sleep 0.2
done

# time_clone NAME COMMAND...: runs COMMAND RUNS times into a fresh $work/clone,
# prints "NAME<TAB>median seconds<TAB>bytes of the last clone".
time_clone() {
  local name=$1; shift
  local times=() start end
  for _ in $(seq 1 "$runs"); do
    rm -rf "$work/clone"
    start=$(now)
    "$@" >/dev/null
    end=$(now)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\t%.1f\t%s\n' "$name" "$(printf '%s\n' "${times[@]}" | median)" "$(du -sb "$work/clone" | cut -f1)"
}

{
  printf 'clone\twall s (median of %s)\tbytes on disk\n' "$runs"
  time_clone "git clone from git daemon" git clone -q --bare "git://127.0.0.1:$daemon_port/w1.git" "$work/clone"
  time_clone "git clone from banyan serve" git clone -q --bare "http://127.0.0.1:$serve_port/" "$work/clone"
  time_clone "banyan clone from banyan serve" "$banyan" clone -q "http://127.0.0.1:$serve_port/" "$work/clone"
} | column -t -s $'\t'
