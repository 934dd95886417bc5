#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "messages/market_data.hpp"

namespace agora {

/// Checks a venue's own best bid/ask (its bookTicker stream) against the
/// book we rebuilt from its snapshot and diffs: a ticker whose update id
/// equals the last id of a diff we applied must show exactly our best bid
/// and ask (price and quantity) as they stood right after that diff. Tickers
/// whose id falls inside a diff's range cannot be compared and are not
/// counted as checked. Tickers often arrive before the diff that ends at
/// their id, so those wait (at most `max_pending`); tickers arriving late
/// are compared with the tops of the last `history` applied diffs.
/// Pure; O(1) amortized per diff and per ticker.
class ticker_check {
public:
  static constexpr size_t max_pending = 256;
  static constexpr size_t history = 64;

  /// A ticker arrived. `synced`: the book is in sync; `last_applied`: the
  /// last id of the last applied diff (or of the snapshot).
  void on_ticker(const book_ticker& t, bool synced, uint64_t last_applied);

  /// A diff ending at `last_id` was applied; `bid`/`ask` are the best levels
  /// right after it.
  void on_applied(uint64_t last_id, const std::optional<book_level>& bid,
                  const std::optional<book_level>& ask);

  /// The book went stale: waiting tickers and the history are dropped.
  void reset();

  uint64_t tickers() const noexcept { return tickers_; }
  uint64_t checked() const noexcept { return checked_; }
  uint64_t agreed() const noexcept { return agreed_; }
  /// The first disagreement, readable ("u=… ticker 1.2@3 / 1.3@4, book …").
  const std::string& first_disagreement() const noexcept { return first_disagreement_; }

private:
  struct top {
    uint64_t id = 0;
    std::optional<book_level> bid;
    std::optional<book_level> ask;
  };
  void compare(const book_ticker& t, const top& b);

  std::deque<book_ticker> pending_; ///< Ids above the last applied, oldest first.
  std::array<top, history> recent_{};
  size_t next_recent_ = 0;
  uint64_t tickers_ = 0;
  uint64_t checked_ = 0;
  uint64_t agreed_ = 0;
  std::string first_disagreement_;
};

} // namespace agora
