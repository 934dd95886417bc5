#pragma once

#include <cstdint>

namespace agora::binance {

/// Which Binance market a connection talks to: spot (api.binance.com) or
/// USD-M futures (fapi.binance.com). The two differ in payload details
/// (e.g. "pu" on depth diffs, "E"/"T" on bookTicker) and in error codes.
enum class market : uint8_t { spot = 1, usdm = 2 };

/// Returns "spot" or "usdm".
const char* to_string(market m) noexcept;

} // namespace agora::binance
