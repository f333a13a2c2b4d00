#!/usr/bin/env bash
# Builds the libFuzzer harness (Fuzz/) and runs each target for a bounded time.
#
#   scripts/fuzz.sh [seconds-per-target] [target ...]
#
# Default: 10 seconds for every target. The build goes to .build-fuzz, apart
# from the normal .build. Corpora grow in .build-fuzz/corpus/<target> from
# seeds that scripts/fuzz-seeds.py extracts from Fixtures/; a crashing input
# is saved as .build-fuzz/crashes/<target>-crash-…, and the script exits 1.
# Prints one line per target: executions, coverage (edges), features, corpus size.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
shift || true
scratch="$PWD/.build-fuzz"

swift build -c debug --package-path Fuzz --scratch-path "$scratch" --product banyan-fuzz 2>&1 \
  | grep -v "Cannot export local symbol" >&2
binary="$(swift build -c debug --package-path Fuzz --scratch-path "$scratch" --show-bin-path)/banyan-fuzz"

if [ $# -gt 0 ]; then
  targets=("$@")
else
  # The harness lists its targets when none is chosen.
  read -r -a targets <<<"$(FUZZ_TARGET= "$binary" 2>&1 | sed -n 's/^set FUZZ_TARGET to one of: //p')"
fi

rm -rf "$scratch/seeds"
python3 scripts/fuzz-seeds.py "$scratch/seeds" >/dev/null
mkdir -p "$scratch/crashes" "$scratch/logs"

failed=0
printf '%-14s %12s %8s %8s %8s  %s\n' target executions cov ft corpus result
for target in "${targets[@]}"; do
  corpus="$scratch/corpus/$target"
  mkdir -p "$corpus" "$scratch/seeds/$target"
  log="$scratch/logs/$target.log"
  status=0
  # -rss_limit_mb and -timeout make a memory or time blow-up a finding too.
  FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
    "$binary" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=20 \
    -print_final_stats=1 -artifact_prefix="$scratch/crashes/$target-" \
    "$corpus" "$scratch/seeds/$target" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  size=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  result=ok
  if [ "$status" -ne 0 ]; then
    result="FAILED (exit $status, see $log)"
    failed=1
  fi
  printf '%-14s %12s %8s %8s %8s  %s\n' "$target" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${size:-?}" "$result"
done
exit "$failed"
