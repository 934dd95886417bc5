#include "venues/binance/market.hpp"

namespace agora::binance {

const char* to_string(market m) noexcept {
  switch (m) {
    case market::spot:
      return "spot";
    case market::usdm:
      return "usdm";
  }
  return "unknown";
}

} // namespace agora::binance
