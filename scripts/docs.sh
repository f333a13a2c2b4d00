#!/usr/bin/env bash
# Builds the DocC reference of Banyan, BanyanSync and BanyanServer
# (swift-docc-plugin), failing on any documentation warning: a broken
# symbol link, a parameter without documentation, a bad Topics entry.
# The archives land in .build/plugins/Swift-DocC/outputs/.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package generate-documentation --warnings-as-errors \
  --target Banyan --target BanyanSync --target BanyanServer
