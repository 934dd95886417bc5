#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "venues/exchange_sim/core_types.hpp"

namespace agora::xsim {

/// Every execution of every account, per account and symbol, as GET
/// /api/v3/myTrades and /fapi/v1/userTrades answer them. Keeps the newest
/// `max_per_account` trades of each account (all symbols together); older
/// ones are forgotten, oldest first.
///
/// Trades of one symbol are expected in execution order, so their ids (the
/// sim market's trade ids, increasing per symbol) never decrease; two
/// records may share an id (both sides of a trade between two orders of the
/// same account), never an (id, order id) pair.
class trade_history {
public:
  explicit trade_history(size_t max_per_account = 200'000);

  /// Records one execution of an order of `account` on `symbol`.
  void add(size_t account, const std::string& symbol, const trade_record& t);

  /// The trades of `account` on `symbol` that pass `q`, oldest first (see
  /// `history_query` for which `limit` of them).
  std::vector<trade_record> query(size_t account, const std::string& symbol,
                                  const history_query& q) const;

  /// Number of trades kept for `account` (all symbols).
  size_t size(size_t account) const noexcept;

private:
  struct account_log {
    std::map<std::string, std::deque<trade_record>> by_symbol;
    /// The symbol of each kept trade, oldest first (the eviction order).
    std::deque<const std::string*> arrival;
  };

  size_t max_per_account_;
  /// By account index (a map: a log's keys must not move).
  std::map<size_t, account_log> accounts_;
};

} // namespace agora::xsim
