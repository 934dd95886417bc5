#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/market_data.hpp"
#include "messages/time.hpp"
#include "venues/sim/rng.hpp"

namespace agora::sim {

/// How the simulated market behaves. Every draw comes from `seed`.
struct market_params {
  uint64_t seed = 1;
  price start_price;                ///< Initial fair mid, e.g. 65000.
  double volatility = 0.0002;       ///< Stddev of the log mid change per step (calm).
  double burst_probability = 0.002; ///< Chance per step to enter a volatility burst.
  double burst_multiplier = 5.0;    ///< Volatility multiplier during a burst.
  size_t burst_steps = 50;          ///< Burst length in steps.
  size_t depth_levels = 50;         ///< External levels per side.
  quantity level_qty;               ///< Typical external quantity per level
                                    ///< (0: 100 lots); larger deeper in the book.
  double trades_per_step = 0.5;     ///< Mean public trades per step (Poisson).
  /// An anchored market (a perpetual following its spot index): its fair
  /// mid is the index's fair mid x exp(b), where the basis b is an
  /// Ornstein-Uhlenbeck process: b += reversion x (mean - b) + vol x N(0,1)
  /// per step, starting at `basis_mean`. Set by `set_index` before each step.
  bool anchored = false;
  double basis_mean = 0;            ///< Long-run log basis, e.g. 0.002 = 20 bps.
  double basis_reversion = 0;       ///< Fraction of the gap to the mean closed per step, in [0, 1].
  double basis_volatility = 0;      ///< Stddev of the basis change per step.
};

/// An order as the sim venue receives it.
struct sim_order {
  client_order_id cid;
  side sd = side::buy;
  order_type type = order_type::limit;
  time_in_force tif = time_in_force::gtc;
  price px;     ///< Limit price; ignored for market orders.
  quantity qty;
};

/// One execution report of the sim venue.
///
/// - accepted: `oid`, `px`/`qty` as ordered (`px` is 0 for market orders).
/// - rejected: `reason` and `detail`; `oid` is 0; `px`/`qty` as ordered.
/// - fill: `tid`, `px`/`qty` of this fill, `cum_qty`/`leaves_qty` after it,
///   `fee` (notional x the maker or taker fee rate, truncated), `liq`.
/// - canceled: `why`; `px`/`qty` as ordered, `cum_qty` filled before the
///   cancel, `leaves_qty` 0.
struct exec_report {
  enum class kind : uint8_t { accepted = 1, rejected = 2, fill = 3, canceled = 4 };
  kind what = kind::accepted;
  client_order_id cid;
  order_id oid;
  side sd = side::buy;
  reject_reason reason = reject_reason::venue_rejected;
  std::string detail;
  trade_id tid;
  price px;
  quantity qty;
  quantity cum_qty;
  quantity leaves_qty;
  notional fee;
  liquidity liq = liquidity::taker;
  cancel_reason why = cancel_reason::requested;
  nanos venue_time = 0;
};

/// What one step of the market produced.
struct market_step {
  /// The sequenced diff of this step: every published level that changed
  /// since the previous step (also those our taker orders consumed), with
  /// absolute quantities (0 removes). Empty when nothing changed.
  std::optional<book_delta> delta;
  /// Public trades since the previous step, in order: first the prints of
  /// our taker orders submitted since then, then this step's.
  std::vector<trade_tick> trades;
  /// Fills of our resting orders caused by this step's trades and moves.
  std::vector<exec_report> executions;
};

/// One simulated instrument: a seeded market generator and a price-time
/// priority matching engine over one coherent book of external liquidity
/// (from the generator) and our resting orders.
///
/// The generator moves a fair mid as a random walk of log returns with a
/// calm and a burst regime, and quotes `depth_levels` tick-spaced levels per
/// side around it with a spread of 1 to 3 ticks and random quantities that
/// grow deeper in the book; levels are refreshed at random (5% a step) and
/// public trades (aggressor side at random, sizes heavily skewed to small,
/// about one in sixteen larger than the best level, so it sweeps) walk the
/// book. Our resting orders queue behind the
/// external quantity present at their price when they joined; that estimate
/// shrinks when public trades consume the level or the external quantity
/// drops below it. They fill as maker when trades reach them and when the
/// market moves through their price (the incoming external orders match them
/// at their price). Our taker orders cancel our own resting orders they meet
/// (self-trade prevention, `cancel_reason::self_trade`).
///
/// The published book (deltas and `snapshot`) changes only in `step`: it is
/// the book as of `last_update_id()`, external plus our resting quantity
/// aggregated by price, and is never crossed. Matching uses the live book,
/// which also reflects our orders since the last step.
///
/// Pure and deterministic: same seed and same calls give the same outputs.
class sim_market {
public:
  /// Builds the initial book around `params.start_price` as update id 1.
  /// A non-positive tick or lot in `spec` is taken as 1e-8, a non-positive
  /// start price as 1000 ticks; depth_levels is clamped to [1, 10000].
  sim_market(venue_id venue, instrument_spec spec, market_params params);

  /// Advances the market by one step at venue time `now`.
  market_step step(nanos now);

  /// Validates and matches an order; returns accepted or rejected, then any
  /// taker fills, self-trade cancels of our resting orders, and a cancel of
  /// an IOC or market remainder. A GTC or post-only remainder rests.
  std::vector<exec_report> submit(const sim_order& o, nanos now);

  /// Cancels a resting order: canceled(requested), or rejected
  /// (unknown_order) when `cid` is not resting.
  std::vector<exec_report> cancel(client_order_id cid, nanos now);

  /// Cancels every resting order (oldest first).
  std::vector<exec_report> cancel_all(nanos now);

  /// The published book (external plus our resting liquidity, aggregated by
  /// price) as of `last_update_id()`; `venue_time` and `local_time` are `now`.
  book_snapshot snapshot(nanos now) const;

  /// Our resting orders, oldest first, with `qty` the open (leaves) quantity.
  std::vector<sim_order> open_orders() const;

  const instrument_spec& spec() const noexcept;

  /// The last update id published (by the constructor or a delta).
  uint64_t last_update_id() const noexcept;

  /// Midpoint of the published best bid and ask (the fair mid if a side is
  /// empty).
  price mid() const noexcept;

  /// The generator's fair mid (not the published book's).
  price fair() const noexcept { return fair_; }

  /// An anchored market's index (its spot's fair mid) for the next step;
  /// ignored unless `params.anchored`.
  void set_index(price index) noexcept { index_ = index; }

  /// The anchored market's current log basis (0 when not anchored).
  double basis() const noexcept { return basis_; }

  /// Fault support: the next delta skips one update id (its first id is
  /// last + 2, and for a perpetual its previous id is last + 1), so
  /// subscribers see a gap.
  void skip_next_sequence() noexcept;

private:
  /// One of our orders resting in the book.
  struct resting_order {
    sim_order order;
    order_id oid;
    quantity cum;
    quantity leaves;
    quantity queue_ahead; ///< External quantity estimated ahead of us.
  };

  /// One price level: external quantity and our orders in time priority.
  struct level {
    quantity ext;
    std::vector<resting_order> ours;
  };

  /// Levels keyed so that `begin()` is the best: the raw price for asks,
  /// its negation for bids.
  using side_levels = std::map<int64_t, level>;
  using level_totals = std::map<int64_t, quantity>;

  /// Where a resting order lives.
  struct locator {
    side sd;
    price px;
  };

  static int64_t key_of(side sd, price px) noexcept;
  static price price_of(side sd, int64_t key) noexcept;
  side_levels& levels(side sd) noexcept;
  const side_levels& levels(side sd) const noexcept;
  std::optional<price> best(side sd) const;
  level_totals totals(side sd) const;

  quantity draw_level_qty(size_t depth_index);
  void walk_fair();
  void quote_external();
  void trade_public(nanos now, market_step& out);
  void cross_through(side resting, nanos now, market_step& out);
  void clip_queues();
  std::optional<book_delta> publish(nanos now);

  trade_tick print(side aggressor, price px, quantity qty, nanos now);
  /// Applies a fill of `qty` at `px` to `o` and reports it.
  exec_report fill(resting_order& o, trade_id tid, price px, quantity qty,
                   liquidity liq, nanos now) const;
  exec_report cancel_report(const resting_order& o, cancel_reason why,
                            nanos now) const;
  exec_report reject(const sim_order& o, reject_reason reason,
                     std::string detail, nanos now) const;

  /// Takes up to `qty` from the opposite side of `aggressor`, best level
  /// first, not beyond `limit` if given. `taker` is our order when we are
  /// the aggressor (taker fills, self-trade cancels), null for a public
  /// trade (our resting orders fill as maker). Returns the quantity taken.
  quantity sweep(side aggressor, quantity qty, std::optional<price> limit,
                 resting_order* taker, nanos now,
                 std::vector<trade_tick>& trades,
                 std::vector<exec_report>& reports);

  venue_id venue_;
  instrument_spec spec_;
  market_params params_;
  rng rng_;
  price fair_;
  size_t burst_left_ = 0;
  price index_;       ///< Anchored: the index's fair mid (zero until set).
  double basis_ = 0;  ///< Anchored: the log basis to the index.
  side_levels bids_;
  side_levels asks_;
  level_totals published_bids_;
  level_totals published_asks_;
  std::map<client_order_id, locator> live_;
  std::vector<trade_tick> pending_trades_;
  uint64_t last_update_id_ = 1;
  uint64_t next_order_id_ = 1;
  uint64_t next_trade_id_ = 1;
  bool skip_next_ = false;
};

} // namespace agora::sim
