#!/usr/bin/env bash
# The web console tested in a real browser (issue 22): Tests/Browser/console_test.py
# drives Debian's Chromium headless through Playwright for Python against the
# built `banyan serve` on temporary stores. It writes screenshots of the main
# views to a temporary directory, or to docs/console/ with
# CONSOLE_SCREENSHOTS=docs/console (how the committed ones are made). `playwright install` cannot download browsers here, so the
# system Chromium is used (apt package `chromium`, which .ci/run installs).
#
# Usage: scripts/console-test.sh [BANYAN_BINARY]   (default .build/debug/banyan)
# Environment: CONSOLE_SCREENSHOTS (default: a temporary directory), CHROMIUM (default: chromium on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
banyan=${1:-.build/debug/banyan}
playwright_version=1.65.3

[ -x "$banyan" ] || { echo "console-test: no banyan binary at $banyan (swift build --product banyan)" >&2; exit 2; }
chromium=${CHROMIUM:-$(command -v chromium || true)}
[ -n "$chromium" ] || { echo "console-test: no chromium on PATH (apt-get install chromium)" >&2; exit 2; }

venv=$root/.build/console-venv
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('playwright') != '$playwright_version')" 2>/dev/null; then
  echo "console-test: installing playwright $playwright_version into $venv"
  python3 -m venv "$venv" || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && python3 -m venv "$venv"; }
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "playwright==$playwright_version"
fi

shots=${CONSOLE_SCREENSHOTS:-$(mktemp -d)}
exec "$venv/bin/python" Tests/Browser/console_test.py --banyan "$banyan" --chromium "$chromium" --screenshots "$shots"
