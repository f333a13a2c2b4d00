#!/usr/bin/env bash
# Bounded schemathesis run against `banyan serve` (issue #6): a temporary
# store with some data, the server on a free loopback port with a token, every
# operation of /api/v1/openapi.json except the SSE watch fuzzed with positive
# and negative data, checking no 5xx and that every reply (status, content
# type, headers, JSON body) is what the document says. Afterwards the store
# must pass `banyan fsck` and `git fsck --strict`.
#
# Usage: scripts/api-fuzz.sh [BANYAN_BINARY]   (default .build/debug/banyan)
# Environment: API_FUZZ_EXAMPLES (per operation, default 100), API_FUZZ_SECONDS
# (hard limit for the schemathesis run, default 90).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
banyan=${1:-.build/debug/banyan}
banyan=$(cd "$(dirname "$banyan")" && pwd)/$(basename "$banyan")
examples=${API_FUZZ_EXAMPLES:-100}
seconds=${API_FUZZ_SECONDS:-90}
schemathesis_version=3.39.16   # the 3.x CLI; works with Python 3.11
hypothesis_version=6.122.3      # newer Hypothesis releases break schemathesis 3.39 ("'many' object has no attribute 'more'")

[ -x "$banyan" ] || { echo "api-fuzz: no banyan binary at $banyan (swift build --product banyan)" >&2; exit 2; }

venv=$root/.build/api-fuzz-venv
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$schemathesis_version" \
   || ! "$venv/bin/python" -c "import hypothesis, sys; sys.exit(hypothesis.__version__ != '$hypothesis_version')" 2>/dev/null; then
  echo "api-fuzz: installing schemathesis $schemathesis_version into $venv"
  python3 -m venv "$venv" || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && python3 -m venv "$venv"; }
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version" "hypothesis==$hypothesis_version"
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

store=$work/store
"$banyan" init "$store" >/dev/null
export BANYAN_REPO=$store
for i in 1 2 3; do
  "$banyan" set "notes/n$i" "note $i" -m "note $i" >/dev/null
done
"$banyan" set settings/theme dark -m theme >/dev/null
"$banyan" set greeting hello -m greeting >/dev/null   # the document's example key
"$banyan" branch create dev >/dev/null
"$banyan" set notes/dev "on dev" -b dev -m dev >/dev/null

token=fuzz-$RANDOM$RANDOM
"$banyan" serve --port 0 --token "$token" --max-request-bytes 1048576 2>"$work/serve.log" &
server_pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$work/serve.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "api-fuzz: the server did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
echo "api-fuzz: banyan serve on port $port, $examples examples per operation, at most ${seconds}s"

status=0
timeout --kill-after=10 "$seconds" "$venv/bin/st" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --base-url "http://127.0.0.1:$port" \
  -H "Authorization: Bearer $token" \
  --exclude-path '/api/v1/watch/{branch}' \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --data-generation-method all \
  --hypothesis-max-examples "$examples" \
  --hypothesis-deadline 5000 \
  --hypothesis-derandomize \
  --hypothesis-suppress-health-check all \
  --request-timeout 10000 \
  --schemathesis-io-telemetry false \
  --no-color || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "api-fuzz: schemathesis ran past ${seconds}s" >&2
fi

kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=
if grep -qi "fatal\|crash" "$work/serve.log"; then
  echo "api-fuzz: the server log reports a crash:" >&2; cat "$work/serve.log" >&2; status=1
fi

echo "api-fuzz: checking the store"
"$banyan" fsck || status=1
git -C "$store" fsck --strict || status=1
exit "$status"
