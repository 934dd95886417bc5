#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace agora {

/// A numeric id of a distinct kind; `Tag` keeps kinds apart at compile time.
template <class Tag>
struct numeric_id {
  uint64_t value = 0;

  constexpr numeric_id() noexcept = default;
  constexpr explicit numeric_id(uint64_t v) noexcept : value(v) {}

  constexpr bool valid() const noexcept { return value != 0; }

  friend constexpr auto operator<=>(numeric_id, numeric_id) noexcept = default;
  friend constexpr bool operator==(numeric_id, numeric_id) noexcept = default;

  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f, numeric_id& x) {
    return f(x.value);
  }
};

/// A short textual id of a distinct kind (symbol, venue, strategy names).
/// Names up to 15 characters stay in std::string's inline buffer.
template <class Tag>
struct name_id {
  std::string value;

  name_id() = default;
  explicit name_id(std::string v) : value(std::move(v)) {}
  explicit name_id(std::string_view v) : value(v) {}
  explicit name_id(const char* v) : value(v) {}

  bool valid() const noexcept { return !value.empty(); }
  const std::string& str() const noexcept { return value; }

  friend auto operator<=>(const name_id&, const name_id&) = default;
  friend bool operator==(const name_id&, const name_id&) = default;

  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f, name_id& x) {
    return f(x.value);
  }
};

struct order_id_tag {};
struct client_order_id_tag {};
struct trade_id_tag {};
struct symbol_tag {};
struct venue_tag {};

/// The venue's id for an order.
using order_id = numeric_id<order_id_tag>;
/// Our id for an order, unique per venue account; survives reprices.
using client_order_id = numeric_id<client_order_id_tag>;
/// A venue's trade (execution) id.
using trade_id = numeric_id<trade_id_tag>;
/// An instrument's venue symbol, e.g. "BTCUSDT".
using symbol_id = name_id<symbol_tag>;
/// A venue connection name, e.g. "sim", "binance-usdm".
using venue_id = name_id<venue_tag>;

} // namespace agora

template <class Tag>
struct std::hash<agora::numeric_id<Tag>> {
  size_t operator()(agora::numeric_id<Tag> x) const noexcept {
    return std::hash<uint64_t>{}(x.value);
  }
};

template <class Tag>
struct std::hash<agora::name_id<Tag>> {
  size_t operator()(const agora::name_id<Tag>& x) const noexcept {
    return std::hash<std::string>{}(x.value);
  }
};
