#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/strategy/bar_builder.hpp"
#include "actors/strategy/rolling_zscore.hpp"
#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/market_data.hpp"
#include "messages/orders.hpp"
#include "messages/time.hpp"

namespace agora {

/// Settings of the order-book-imbalance mean-reversion strategy (PRODUCT.md
/// section 2). Defaults are the documented ones.
struct mean_reversion_params {
  size_t window = 60;             ///< W bars in the z-score window.
  double entry_z = 1.25;          ///< Long: z < -entry_z and rho > 0; short: z > +entry_z and rho < 0.
  double exit_z = 0.5;            ///< Long exit: z > -exit_z; short exit: z < +exit_z.
  double stop_loss = 0.01;        ///< Adverse move of mid vs average entry price that exits regardless of z.
  nanos bar_interval = 60 * ns_per_s;
  nanos time_stop = 30 * 60 * ns_per_s;
  nanos time_stop_off_hours = 60 * 60 * ns_per_s;
  int off_hours_start_utc = 22;   ///< [start, end) hours UTC are off-hours (wraps midnight).
  int off_hours_end_utc = 6;
  bool allow_short = false;
  notional order_notional = notional::from_units(100); ///< Entry size in quote.
  nanos entry_timeout = 30 * ns_per_s; ///< An unfilled resting entry is cancelled after this.
  size_t imbalance_levels = 20;   ///< Informational: the book computes rho over this many levels.
  nanos exit_retry_backoff = 1 * ns_per_s; ///< After a rejected exit, wait this long before re-sending.
};

/// An order the strategy wants placed (an intent: risk checks it first).
struct strategy_order {
  client_order_id cid;
  side sd = side::buy;
  order_type type = order_type::limit;
  time_in_force tif = time_in_force::gtc;
  price px;
  quantity qty;
  bool reduce_only = false;
  std::string purpose; ///< "entry_long", "entry_short", "exit_signal", "stop_loss", "time_stop".
};

/// A cancel of one of the strategy's own orders.
struct strategy_cancel {
  client_order_id cid;
  std::string purpose; ///< "entry_timeout", "trading_halted", "trading_reducing", or the exit purpose that needs the entry gone.
};

/// An entry or exit signal, acted on or not; journaled.
struct strategy_signal {
  nanos time = 0;
  std::string name;  ///< "entry_long", "entry_short", "exit_signal", "stop_loss", "time_stop".
  double z = 0;      ///< Latest z-score (0 when none yet).
  double rho = 0;    ///< Latest book imbalance.
  bool acted = false;
  std::string why;   ///< Empty when acted; otherwise why not.
};

/// What one call into the strategy wants done, in order.
struct strategy_actions {
  std::vector<strategy_order> orders;
  std::vector<strategy_cancel> cancels;
  /// Every entry/exit signal, also ones not acted on (`why`: "stale_book",
  /// "trading_halted", "trading_reducing", "order_working",
  /// "short_disabled", "below_min_notional", "no_price", "exit_backoff").
  std::vector<strategy_signal> signals;
  /// Bars closed by this call (journaled: a restarted strategy warms up
  /// from them).
  std::vector<bar> bars;

  /// Nothing to act on or report (closed bars aside).
  bool empty() const noexcept {
    return orders.empty() && cancels.empty() && signals.empty();
  }
};

/// The pure core of the order-book-imbalance z-score mean-reversion strategy
/// for one instrument.
///
/// Signals: a rolling z-score over the closes of `window` bars built from the
/// book's mid. At each bar close: flat and z < -entry_z with rho > 0 enters
/// long (z > +entry_z with rho < 0 enters short, when allowed); long and
/// z > -exit_z (short and z < +exit_z) exits. On every book view, a stop loss
/// (mid moved `stop_loss` against the average entry price) and a time stop
/// (`time_stop` since the first entry fill, `time_stop_off_hours` when that
/// fill came in off-hours UTC) exit regardless of z.
///
/// Execution: entries are post-only limit orders at the touch (long at the
/// best bid, short at the best ask) sized `order_notional / px` floored to
/// the lot; exits are IOC limits priced to cross (sell at the best bid, buy
/// at the best ask), reduce-only, for the whole position; an exit that leaves
/// a residual is retried on the next book view (or timer tick). At most one
/// order is working at a time; an exit that finds an entry working cancels
/// it first. The position and average entry price come from fills only;
/// residuals below one lot count as flat.
///
/// Time comes only from the arguments (book venue time, timer ticks, event
/// times); the caller keeps them on one timeline. No clock, no I/O.
class mean_reversion {
public:
  /// `cid_base`: client order ids are `cid_base + 1`, `+ 2`, ...
  mean_reversion(mean_reversion_params p, instrument_spec spec,
                 uint64_t cid_base);

  /// Feeds a fresh book view: its mid goes into the bar builder at
  /// `v.venue_time` (`v.local_time` if unset); each completed bar's close
  /// goes into the z-score; after a bar completes, entries and exits are
  /// evaluated with `v.imbalance`; stops are checked on every view; a
  /// pending exit (residual, or waiting for a cancel) is re-sent.
  strategy_actions on_book(const book_view& v);

  /// A timer tick: flushes bars (evaluating signals on a completed bar with
  /// the last view's imbalance and prices), checks the time stop, cancels a
  /// resting entry older than `entry_timeout`, re-sends a pending exit.
  strategy_actions on_timer(nanos now);

  strategy_actions on_accepted(const order_accepted& e);

  /// Applies one execution: the position is the sum of fills (a fill whose
  /// `cum_qty` does not advance past what was already applied for its order
  /// is a duplicate and ignored). Fills of an entry being cancelled count.
  strategy_actions on_fill(const order_filled& e);

  strategy_actions on_canceled(const order_canceled& e);

  /// A refused order. A rejected entry (e.g. post-only would cross) returns
  /// to flat and waits for the next signal; a rejected exit stays pending and
  /// is re-sent after `exit_retry_backoff`. A rejection naming an accepted
  /// order whose cancel was sent is read as the cancel failing: the order is
  /// dropped if the reason is `unknown_order`, kept otherwise.
  strategy_actions on_rejected(const order_rejected& e);

  /// The book went stale: until the next book view no order is priced or
  /// sent. Bars the timer closes meanwhile record their entry/exit signals
  /// as not acted on (why "stale_book") and drop them; a stop found meanwhile
  /// (time stop) is kept and sent on the next fresh view.
  void on_stale();

  /// HALTED: no new orders at all, the working entry is cancelled. REDUCING:
  /// exits only, the working entry is cancelled. ACTIVE: normal.
  strategy_actions set_trading_state(trading_state s, nanos now);

  /// Preloads closes (recovery, history), oldest first. Bars the builder
  /// already covers are skipped, and all are skipped once a live bar is open.
  /// Live bars continue after the last one, with flat bars across any gap.
  void warm_up(const std::vector<bar>& bars);

  /// Rebuilds the position from fills journaled earlier (recovery: the
  /// strategy restarted, the service restarted), oldest first. Replaces the
  /// position, its average entry price and its entry time; orders of this
  /// instance are not touched.
  void restore_position(const std::vector<order_filled>& fills);

  // -- inspection -------------------------------------------------------------

  /// Signed position: the sum of fills.
  quantity position() const noexcept { return pos_; }

  /// Average entry price of the open position (zero when flat).
  price entry_price() const noexcept { return avg_px_; }

  std::optional<double> last_z() const noexcept { return z_.zscore(); }

  /// Closes pushed into the z-score (warm-up included).
  size_t bars_seen() const noexcept { return bars_seen_; }

  /// "flat", "entering", "long", "short" or "exiting".
  std::string state_name() const;

  bool has_working_order() const noexcept { return working_.has_value(); }

  trading_state trading() const noexcept { return trading_; }

  const mean_reversion_params& params() const noexcept { return params_; }

  const instrument_spec& spec() const noexcept { return spec_; }

private:
  /// One order of ours, kept while working and for a while after (late fills).
  struct order_record {
    client_order_id cid;
    side sd = side::buy;
    quantity qty;
    quantity filled;
    std::string purpose;
    bool entry = false;
    bool accepted = false;
    bool done = false;
    bool cancel_sent = false;
    nanos sent_at = 0;
    nanos cancel_at = 0;
  };

  order_record* find(client_order_id cid) noexcept;
  bool ours(client_order_id cid) const noexcept;
  void finish(client_order_id cid) noexcept;

  bool is_flat() const noexcept;
  bool off_hours(nanos t) const noexcept;
  double z_or_zero() const noexcept;

  void push_bars(const std::vector<bar>& bars);
  void evaluate_signals(nanos now, strategy_actions& out);
  void try_entry(side sd, nanos now, double z, strategy_actions& out);
  void check_stops(nanos now, bool check_price, strategy_actions& out);
  void start_exit(const std::string& purpose, nanos now, strategy_actions& out);
  std::string drive_exit(nanos now, strategy_actions& out);
  void cancel_working(const std::string& purpose, nanos now,
                      strategy_actions& out);
  void check_entry_timeout(nanos now, strategy_actions& out);
  void apply_fill(side sd, price px, quantity qty, nanos t);
  client_order_id next_cid() noexcept;
  void send(side sd, time_in_force tif, price px, quantity qty,
                       bool reduce_only, const std::string& purpose, bool entry,
                       nanos now, strategy_actions& out);

  mean_reversion_params params_;
  instrument_spec spec_;
  uint64_t cid_base_;
  uint64_t cid_seq_ = 0;

  bar_builder bars_;
  rolling_zscore z_;
  size_t bars_seen_ = 0;

  trading_state trading_ = trading_state::active;

  // The last book view.
  bool fresh_ = false;  ///< A view arrived and no stale notice since.
  price best_bid_;
  price best_ask_;
  price mid_;
  double rho_ = 0;

  // Position, from fills only.
  quantity pos_;
  price avg_px_;
  std::optional<nanos> entry_time_; ///< First fill of the open position.

  std::vector<order_record> orders_;   ///< Recent orders, oldest first.
  std::optional<client_order_id> working_;
  std::string pending_exit_;           ///< Purpose of an exit under way.
  nanos exit_retry_after_ = 0;
};

} // namespace agora
