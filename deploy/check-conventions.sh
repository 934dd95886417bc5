#!/usr/bin/env bash
# Cheap convention checks (STYLE.md), run by CI before the build.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail=0
check() { # check "what" <command producing offending lines>
  local what="$1"; shift
  local hits
  hits="$("$@" 2>/dev/null || true)"
  if [ -n "$hits" ]; then
    echo "convention violated: $what"
    echo "$hits" | sed 's/^/  /'
    fail=1
  fi
}

src_dirs=(messages config venues actors app)

check "std::thread outside venues/common (blocking I/O lives in one place)" \
  grep -rn --include='*.hpp' --include='*.cpp' 'std::thread' messages config actors app
check "std::cout / printf-style stdout logging in library code (use spdlog)" \
  grep -rn --include='*.hpp' --include='*.cpp' -E 'std::cout|std::cerr' "${src_dirs[@]}"
check "messages/ must not include Beast, RapidJSON or SQLite" \
  grep -rn -E '#include <(boost/beast|rapidjson|sqlite3)' messages
check "no binary floating point in order messages and ids" \
  grep -n -w -E 'double|float' messages/orders.hpp messages/ids.hpp messages/enums.hpp
check "unchecked RapidJSON member access (use venues/common/json.hpp)" \
  grep -rn --include='*.cpp' --include='*.hpp' -E '(\w+)\[ *"[A-Za-z_]+" *\]\.(Get|Is)' "${src_dirs[@]}"
check "ambient wall clock outside messages/time.hpp and the logging/bench code" \
  grep -rn --include='*.cpp' --include='*.hpp' -E 'system_clock::now\(\)' actors venues config app
# The sim venue is Binance's test double: it speaks Binance's wire format with
# the Binance codec, and exchange-sim is the sim venue behind Binance's
# protocol. Replay plays recorded Binance streams through the Binance codec.
# Those are the only cross-venue includes.
check "a venue folder never includes another venue (sim, replay and exchange_sim may use binance; exchange_sim may use sim)" \
  bash -c 'for d in venues/*/; do v=$(basename "$d"); [ "$v" = common ] && continue;
    allowed="common|$v"; { [ "$v" = sim ] || [ "$v" = replay ]; } && allowed="$allowed|binance"; [ "$v" = exchange_sim ] && allowed="$allowed|binance|sim";
    grep -rn -E "#include \"venues/[a-z_]+/" "$d" | grep -v -E ":#include \"venues/($allowed)/"; done'

if [ "$fail" -ne 0 ]; then
  echo "check-conventions: FAILED"
  exit 1
fi
echo "check-conventions: ok"
