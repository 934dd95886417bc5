#include "venues/binance/client_ids.hpp"

#include <limits>

namespace agora::binance {

namespace {

constexpr std::string_view prefix = "ag-";

} // namespace

std::string encode_client_id(client_order_id cid) {
  std::string out{prefix};
  out += std::to_string(cid.value);
  return out;
}

std::optional<client_order_id> decode_client_id(std::string_view text) noexcept {
  if (text.size() <= prefix.size() || text.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  auto digits = text.substr(prefix.size());
  if (digits.size() > 20 || digits.front() == '0')
    return std::nullopt;
  uint64_t x = 0;
  constexpr auto max = std::numeric_limits<uint64_t>::max();
  for (char c : digits) {
    if (c < '0' || c > '9')
      return std::nullopt;
    auto d = static_cast<uint64_t>(c - '0');
    if (x > (max - d) / 10)
      return std::nullopt;
    x = x * 10 + d;
  }
  return client_order_id{x};
}

} // namespace agora::binance
