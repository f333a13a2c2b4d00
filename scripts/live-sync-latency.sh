#!/usr/bin/env bash
# Commit-to-peer latency of `banyan sync --live` through `banyan serve` on
# loopback: two stores cloned from one server, each running `sync --live`;
# COMMITS times, a key is set on the first store and the time until the
# second store's `banyan watch` prints the change is taken. Prints the
# median, the 90th percentile and the largest, in milliseconds.
#
# The clock starts once `banyan set` has returned (the commit is made) and
# stops when the peer's watch line is seen: push, the server's change
# stream, the peer's fetch and fast-forward, and the watch's own wake-up.
#
# Usage: scripts/live-sync-latency.sh BANYAN_BINARY [COMMITS]
# Removes everything it made on exit.
set -euo pipefail

banyan=$(realpath "${1:?usage: scripts/live-sync-latency.sh BANYAN_BINARY [COMMITS]}")
commits=${2:-50}
work=$(mktemp -d /tmp/banyan-live-latency.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

"$banyan" init server > /dev/null
"$banyan" set seed 0 -C server > /dev/null
"$banyan" serve -C server --port 0 2> serve.log &
pids+=($!)
for _ in $(seq 300); do grep -q http:// serve.log && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' serve.log)
"$banyan" clone -q "$url" writer > /dev/null
"$banyan" clone -q "$url" reader > /dev/null
"$banyan" sync --live -C writer > writer.log 2>&1 &
pids+=($!)
"$banyan" sync --live -C reader > reader.log 2>&1 &
pids+=($!)
"$banyan" watch -C reader --interval 10 > changes &
pids+=($!)
for _ in $(seq 300); do grep -q "following its change stream" writer.log reader.log 2> /dev/null && break; sleep 0.1; done
sleep 1

now_ns() { date +%s%N; }
samples=()
for i in $(seq "$commits"); do
  "$banyan" set latency/key "$i" -C writer > /dev/null
  start=$(now_ns)
  until [ "$(wc -l < changes)" -ge "$i" ]; do
    if [ $(( $(now_ns) - start )) -gt 10000000000 ]; then echo "commit $i did not arrive within 10 s" >&2; exit 1; fi
    sleep 0.002
  done
  samples+=($(( ($(now_ns) - start) / 1000 )))
done

printf '%s\n' "${samples[@]}" | sort -n | awk -v n="$commits" '
  { v[NR] = $1 }
  END {
    printf "commits: %d\nmedian: %.1f ms\np90: %.1f ms\nmax: %.1f ms\n",
      n, v[int((n + 1) / 2)] / 1000, v[int(n * 0.9 + 0.5)] / 1000, v[n] / 1000
  }'
