#!/usr/bin/env bash
# The two set-up commands of the README:
#   bash deploy/quickstart.sh run    install what is missing, build (release), run the service
#                                    on the embedded simulated exchange (paper trading)
#   bash deploy/quickstart.sh test   install what is missing, build (dev: ASan+UBSan, -Werror),
#                                    run the whole test suite
# Extra arguments after `run` go to `agora run` (e.g. --config FILE).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
what="${1:-}"
shift || true
jobs="$(nproc 2>/dev/null || echo 2)"

case "$what" in
  run)
    bash deploy/install-deps.sh
    cmake --preset release > /dev/null
    cmake --build --preset release -j "$jobs" --target agora
    echo "quickstart: starting agora (Ctrl-C stops it; in another terminal: build/release/app/agora graph)"
    # paper.json (the built-in default plus its macro calendar) unless the
    # caller names a config.
    case " $* " in
      *" --config "*) exec build/release/app/agora run "$@" ;;
      *) exec build/release/app/agora run --config config/paper.json "$@" ;;
    esac
    ;;
  test)
    bash deploy/check-conventions.sh
    bash deploy/install-deps.sh
    cmake --preset dev > /dev/null
    cmake --build --preset dev -j "$jobs"
    ctest --preset dev
    ;;
  *)
    echo "usage: bash deploy/quickstart.sh run|test" >&2
    exit 2
    ;;
esac
