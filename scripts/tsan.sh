#!/usr/bin/env bash
# Runs the concurrency tests under ThreadSanitizer, in a build directory of
# its own (.build-tsan) so the normal debug build is left alone.
#
#   scripts/tsan.sh                  the concurrency suites
#   scripts/tsan.sh --filter Stress  any other selection (arguments go to `swift test`)
#
# ThreadSanitizer reports a data race as a failure (halt_on_error), so a
# clean exit means no race was seen. `-DBANYAN_TSAN` swaps in a mutex
# ThreadSanitizer can see for `Synchronization.Mutex`, whose futex-based
# lock it cannot (BanyanCore/Internal/Mutex+ThreadSanitizer.swift). See
# docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."

suites='ConcurrencyTests|AsyncTests|GCConcurrencyTests|FileSystemLockTests|AppendPackTests|backendConformance|WatchTests|FaultInjectionTests'
if [ $# -eq 0 ]; then
  set -- --filter "BanyanTests\.($suites)"
fi
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1}"
swift build --build-tests --scratch-path .build-tsan -Xswiftc -sanitize=thread -Xswiftc -DBANYAN_TSAN
swift test --skip-build --scratch-path .build-tsan -Xswiftc -sanitize=thread -Xswiftc -DBANYAN_TSAN "$@"
