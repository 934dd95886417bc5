#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "messages/market_data.hpp"
#include "venues/sim/sim_market.hpp"

namespace agora::sim {

/// Simulated fills against a real venue's published book: PAPER trading on
/// a real venue. The market never sees these orders, so the model is
/// conservative where it has to guess.
///
/// - Taker orders (market, IOC, a limit that crosses) walk the latest
///   `book_view`'s opposite side level by level, at each level's price, up to
///   their limit, paying the taker fee. Liquidity they take stays taken until
///   the venue publishes a different quantity at that price (the level was
///   refreshed), so two orders in a row do not both take the same quantity.
///   A market or IOC remainder is cancelled (`ioc_remainder`); a GTC
///   remainder rests. Our own resting orders on the other side that the
///   walk meets are cancelled first (`self_trade`), as the venue does.
/// - Resting orders (GTC, post-only) join the back of the queue: the
///   quantity shown at their price on their side when they arrive is ahead
///   of them. That estimate shrinks when public trades at their price
///   consume it, and to the shown quantity when the level shrinks (cancels
///   ahead). A public trade at their price fills them with what is left of
///   it after the queue; a trade beyond their price, or the opposite side's
///   best reaching their price, fills them entirely (the market traded
///   through). Fills are maker, at the order's price.
/// - Without a fresh book (none yet, or the venue's book went stale) new
///   orders are rejected `venue_unavailable`: nothing is filled on a price
///   that is not known. Resting orders wait.
///
/// Pure: no clock, no I/O. Time and trade ids come in.
class paper_matcher {
public:
  /// `first_trade_id` numbers the fills (give each run its own range). A
  /// non-positive tick or lot is taken as 1e-8.
  paper_matcher(instrument_spec spec, uint64_t first_trade_id);

  /// The venue's book moved: resting orders the opposite side now reaches
  /// fill, queue estimates shrink to what is shown, taken liquidity of
  /// refreshed levels is released. Makes the matcher fresh.
  std::vector<exec_report> on_book(const book_view& v, nanos now);

  /// A public trade on the venue: resting orders at or behind its price on
  /// the side it hit fill (see above).
  std::vector<exec_report> on_trade(const trade_tick& t, nanos now);

  /// The venue's book is not trustworthy until the next `on_book`.
  void on_stale() noexcept { fresh_ = false; }

  bool fresh() const noexcept { return fresh_; }

  /// Validates and matches an order: accepted or rejected, then any taker
  /// fills, self-trade cancels, and the cancel of an IOC or market
  /// remainder.
  std::vector<exec_report> submit(const sim_order& o, nanos now);

  /// canceled(requested), or rejected(unknown_order) when not resting.
  std::vector<exec_report> cancel(client_order_id cid, nanos now);

  /// Cancels every resting order (oldest first) with `why`.
  std::vector<exec_report> cancel_all(nanos now, cancel_reason why = cancel_reason::requested);

  /// Resting orders, oldest first, `qty` the open quantity.
  std::vector<sim_order> open_orders() const;

  /// The estimated quantity ahead of a resting order (none if not resting).
  std::optional<quantity> queue_ahead(client_order_id cid) const;

  const instrument_spec& spec() const noexcept { return spec_; }
  uint64_t book_update_id() const noexcept { return update_id_; }

private:
  struct resting {
    sim_order order;
    order_id oid;
    quantity cum;
    quantity leaves;
    quantity ahead;
  };

  /// Liquidity our taker orders took at one price, and the quantity the
  /// venue showed there when they did.
  struct taken {
    quantity shown;
    quantity used;
  };

  const std::vector<book_level>& levels(side sd) const noexcept {
    return sd == side::buy ? bids_ : asks_;
  }
  std::map<int64_t, taken>& taken_on(side sd) noexcept {
    return sd == side::buy ? taken_bids_ : taken_asks_;
  }
  /// The shown quantity at `px` on `sd`; nullopt when `px` is beyond the
  /// levels the view shows (unknown), zero when inside but absent.
  std::optional<quantity> shown_at(side sd, price px) const;
  exec_report fill(resting& o, price px, quantity qty, liquidity liq, nanos now);
  exec_report cancel_report(const resting& o, cancel_reason why, nanos now) const;
  exec_report reject(const sim_order& o, reject_reason reason, std::string detail,
                     nanos now) const;
  /// Walks the opposite side of the view for `o` (limit `limit`, none for
  /// a market order), appending fills.
  void sweep(resting& o, std::optional<price> limit, nanos now, std::vector<exec_report>& out);
  /// Cancels our resting orders on the other side that a taker `sd` order
  /// which reached price `reached` meets (left for prune()).
  void cancel_self_trades(side sd, price reached, nanos now, std::vector<exec_report>& out);
  /// Moves fully filled or cancelled orders out of the resting list.
  void prune();

  instrument_spec spec_;
  std::vector<book_level> bids_;
  std::vector<book_level> asks_;
  uint64_t update_id_ = 0;
  bool fresh_ = false;
  std::map<int64_t, taken> taken_bids_;
  std::map<int64_t, taken> taken_asks_;
  std::vector<resting> resting_; ///< Oldest first.
  uint64_t next_order_id_ = 1;
  uint64_t next_trade_id_;
};

} // namespace agora::sim
