#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/atom.hpp>

#include "messages/ids.hpp"
#include "messages/market_data.hpp"
#include "messages/type_ids.hpp"

namespace agora {

/// A feed's routing table: which book actor follows which symbol, and the
/// parsed diffs waiting to leave as one `book_delta_batch` per symbol.
///
/// Diffs wait in a per-symbol batch until the feed handles the flush message
/// this table asks it to send itself (`caf::flush_atom`), which runs after
/// every frame already in the feed's mailbox: a burst leaves as one message
/// per symbol, at most `max_batch` diffs. Trades, tickers and funding go out
/// at once, after the symbol's pending diffs, so a symbol's events keep venue
/// order. Owned by one feed actor; every call takes that actor.
class book_routes {
public:
  /// Most diffs a batch holds before it leaves without waiting for the flush.
  static constexpr size_t max_batch = 256;

  /// `book` follows `symbol` from now on (replacing an earlier follower).
  void follow(const symbol_id& symbol, caf::actor book) {
    books_[symbol] = std::move(book);
  }

  void unfollow(const symbol_id& symbol) { books_.erase(symbol); }

  /// Forgets every route to the actor at `addr` (it went down).
  void forget(const caf::actor_addr& addr) {
    for (auto i = books_.begin(); i != books_.end();)
      i = i->second.address() == addr ? books_.erase(i) : std::next(i);
  }

  bool follows(const symbol_id& symbol) const { return books_.count(symbol) != 0; }

  size_t size() const noexcept { return books_.size(); }

  /// Queues a diff for its symbol's book; asks `self` to flush once.
  template <class Self>
  void route(Self* self, book_delta&& d) {
    if (!follows(d.symbol)) {
      ++unrouted_;
      return;
    }
    auto symbol = d.symbol;
    auto& batch = pending_[symbol];
    batch.symbol = symbol;
    batch.deltas.push_back(std::move(d));
    if (batch.deltas.size() >= max_batch) {
      send_batch(self, symbol);
    } else if (!flush_scheduled_) {
      flush_scheduled_ = true;
      self->send(self, caf::flush_atom_v);
    }
  }

  /// Sends any event other than a diff to its symbol's book, after the
  /// symbol's pending diffs.
  template <class Self, class Event>
  void route(Self* self, Event&& e) {
    auto i = books_.find(e.symbol);
    if (i == books_.end()) {
      ++unrouted_;
      return;
    }
    send_batch(self, e.symbol);
    self->send(i->second, std::forward<Event>(e));
  }

  /// The followed symbols.
  std::vector<symbol_id> symbols() const {
    std::vector<symbol_id> out;
    for (const auto& [s, book] : books_)
      out.push_back(s);
    return out;
  }

  /// Sends every pending batch; the feed calls this on `caf::flush_atom`.
  template <class Self>
  void flush(Self* self) {
    flush_scheduled_ = false;
    while (!pending_.empty())
      send_batch(self, pending_.begin()->first);
  }

  /// "books=3 unrouted=0 batches=12 deltas=40" for stats.
  std::string describe() const {
    return "books=" + std::to_string(books_.size()) + " unrouted="
           + std::to_string(unrouted_) + " batches=" + std::to_string(batches_)
           + " deltas=" + std::to_string(batched_deltas_);
  }

  uint64_t unrouted() const noexcept { return unrouted_; }

private:
  template <class Self>
  void send_batch(Self* self, const symbol_id& symbol) {
    auto p = pending_.find(symbol);
    if (p == pending_.end())
      return;
    if (!p->second.deltas.empty()) {
      auto b = books_.find(symbol);
      if (b == books_.end()) {
        unrouted_ += p->second.deltas.size();
      } else {
        ++batches_;
        batched_deltas_ += p->second.deltas.size();
        self->send(b->second, std::move(p->second));
      }
    }
    pending_.erase(p); // never leave an entry flush() would spin on
  }

  std::map<symbol_id, caf::actor> books_;
  std::map<symbol_id, book_delta_batch> pending_;
  bool flush_scheduled_ = false;
  uint64_t unrouted_ = 0;
  uint64_t batches_ = 0;
  uint64_t batched_deltas_ = 0;
};

} // namespace agora
