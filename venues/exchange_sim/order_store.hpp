#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "venues/exchange_sim/core_types.hpp"

namespace agora::xsim {

/// One order the exchange took, open or done.
struct order_record {
  order_state view;      ///< What queries answer (symbol, ids, status, ...).
  size_t account = 0;    ///< Index into the core's accounts.
  int64_t time_ms = 0;   ///< Creation (wall ms).
  int64_t update_ms = 0; ///< Last change (wall ms).
  bool working = false;  ///< Rested on the book at some point.
  notional lock_left;    ///< Spot: still locked for it (quote for BUY, base for SELL).
  rate lock_fee_rate;    ///< Spot limit BUY: the fee reserve rate of its lock.

  /// Not yet in a terminal status.
  bool open() const noexcept;
};

/// The orders of one core by Binance order id (which is also the numeric
/// client order id the sim market knows), with the lookups the REST API
/// needs. Keeps every open order and, per account, the last `max_closed`
/// closed ones (every status: FILLED, CANCELED, EXPIRED, ...), so that GET
/// allOrders can list an account's history.
class order_store {
public:
  explicit order_store(size_t max_closed = 100'000);

  /// Stores `r` under `r.view.order_id`; returns the stored record.
  order_record& add(order_record r);

  /// The order with this id, or null.
  order_record* find(uint64_t order_id) noexcept;
  const order_record* find(uint64_t order_id) const noexcept;

  /// The latest order of `account` on `symbol` with this client order id.
  order_record* find_client(size_t account, const std::string& symbol,
                            const std::string& client_id) noexcept;

  /// True if `account` has an open order with this client id on `symbol`.
  bool has_open_client(size_t account, const std::string& symbol,
                       const std::string& client_id) const noexcept;

  /// Open orders of `account` (all accounts if `account` is npos), on
  /// `symbol` if not empty, oldest first.
  std::vector<const order_record*> open_orders(size_t account,
                                               const std::string& symbol) const;

  /// The orders (open and kept closed) of `account` on `symbol` that pass
  /// `q` (`from_id`: order ids >= it; times on the creation time;
  /// `order_id` is ignored), oldest first (see `history_query` for which
  /// `limit` of them).
  std::vector<const order_record*> history(size_t account,
                                           const std::string& symbol,
                                           const history_query& q) const;

  /// Call when an order reached a terminal status: it is kept for queries
  /// until `max_closed` newer orders of its account closed.
  void closed(uint64_t order_id);

  /// Number of stored orders (open and retained closed).
  size_t size() const noexcept { return orders_.size(); }

  static constexpr size_t npos = static_cast<size_t>(-1);

private:
  using client_key = std::tuple<size_t, std::string, std::string>;
  using symbol_key = std::pair<size_t, std::string>;

  size_t max_closed_;
  std::map<uint64_t, order_record> orders_;
  std::map<client_key, uint64_t> by_client_;
  std::map<symbol_key, std::set<uint64_t>> by_symbol_; ///< (account, symbol) -> ids.
  std::map<size_t, std::deque<uint64_t>> closed_;       ///< Per account, in closing order.
};

} // namespace agora::xsim
