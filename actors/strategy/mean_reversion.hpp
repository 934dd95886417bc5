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
///
/// Maker watchdog (PRODUCT.md section 3): the defaults are those of a liquid
/// symbol (lifetime 30 s, 5 reprices); a thin symbol uses 120 s and 15. The
/// config picks which; the core only takes the numbers.
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
  /// A resting entry is repriced when the best price on its side moved away
  /// from its price by more than this fraction of its price (a buy: the best
  /// bid rose above it; a sell: the best ask fell below it). Compared
  /// exactly, at the 1e-8 resolution of the fixed-point values.
  double reprice_threshold = 0.001;
  /// At most one reprice per this, counted from the entry's first placement
  /// and then from each reprice.
  nanos reprice_min_interval = 2 * ns_per_s;
  /// An entry not complete this long after its first placement is given up
  /// (liquid 30 s, thin 120 s).
  nanos maker_lifetime = 30 * ns_per_s;
  /// Reprices allowed per entry (a post-only that would have crossed and is
  /// placed again counts as one); the next one needed gives the entry up
  /// (liquid 5, thin 15; at most 254, the member field of a client id; 0:
  /// never repriced, a crossing post-only gives the entry up at once).
  size_t max_reprices = 5;
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
  /// "entry_long", "entry_short" (every member of an entry family), or
  /// "exit_signal", "stop_loss", "time_stop".
  std::string purpose;
};

/// A cancel of one of the strategy's own orders.
struct strategy_cancel {
  client_order_id cid;
  /// "reprice" (moved-away entry, placed again once the cancel is
  /// confirmed), "entry_resize" (a late fill made the resting member too big;
  /// the remainder is placed again), "entry_complete" (a late fill completed
  /// the entry), "entry_give_up", "trading_halted", "trading_reducing", or
  /// the exit purpose that needs the entry gone.
  std::string purpose;
};

/// An entry or exit signal, acted on or not; journaled.
struct strategy_signal {
  nanos time = 0;
  /// "entry_long", "entry_short", "exit_signal", "stop_loss", "time_stop";
  /// "reprice" (acted: an entry is placed again at the new touch) and
  /// "entry_give_up" (not acted, why "lifetime", "reprice_limit" or
  /// "below_min_notional").
  std::string name;
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
  /// "short_disabled", "below_min_notional", "no_price", "exit_backoff";
  /// for "entry_give_up": "lifetime", "reprice_limit",
  /// "below_min_notional").
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
/// Entries (maker, with a watchdog): an entry intent is sized
/// `order_notional / px` floored to the lot and placed post-only at the touch
/// (long at the best bid, short at the best ask). The orders of one intent
/// form a family. While its member rests (acknowledged by the venue), a book
/// view whose best price on its side moved away from the member's price by
/// more than `reprice_threshold` cancels it (signal "reprice"); once the
/// cancel is confirmed the family places a new member post-only at the touch
/// of the latest view, for the remaining quantity: the intent size, resized
/// at the new price and only ever downward, minus what the family filled
/// (and what a cancel confirmation says was filled but is not in yet). At
/// most one reprice per `reprice_min_interval`. A post-only refused because
/// it would cross (`post_only_would_cross`, or an unrequested cancel with
/// reason `expired` from a venue that expires such orders) is placed again
/// on the next view; it counts as a reprice. When the entry is still not
/// complete `maker_lifetime` after its first placement, or a reprice is
/// needed after `max_reprices`, the family gives up: its member is cancelled
/// and signal "entry_give_up" (why "lifetime" or "reprice_limit") is
/// emitted. Fills of every member accumulate into the intent; it is complete
/// when its size is filled to within a lot. A fill of an old member arriving
/// after its replacement was placed shrinks the family's remainder: a
/// resting replacement now too big by a lot or more is cancelled and placed
/// again smaller ("entry_resize"), or just cancelled when the entry is
/// complete ("entry_complete"). Any other refusal or unrequested cancel of a
/// member ends the family.
///
/// Exits are urgent: IOC limits priced to cross (sell at the best bid, buy
/// at the best ask), reduce-only, for the whole position; an exit that
/// leaves a residual is retried on the next book view (or timer tick). An
/// exit, a halt (HALTED: no new orders) or REDUCING (exits only) cancels a
/// working entry and ends its family: nothing is placed again and no
/// reprice happens while not ACTIVE. At most one order is working at a time.
/// The position and average entry price come from fills only; residuals
/// below one lot count as flat.
///
/// Client order ids: `cid_base + (family << 8) + member`. Families are
/// numbered 1, 2, ... (each entry intent is one, each exit is one); member 0
/// is a family's first order, 1..255 its re-placements (reprices of an
/// entry, re-sends of an exit). See `family_of`.
///
/// Time comes only from the arguments (book venue time, timer ticks, event
/// times); the caller keeps them on one timeline. No clock, no I/O.
class mean_reversion {
public:
  /// `cid_base`: client order ids are `cid_base + (family << 8) + member`
  /// (family 1, 2, ...; member 0..255); the low 24 bits of `cid_base` should
  /// be zero (next_cid_base guarantees it), leaving room for 65535 families.
  mean_reversion(mean_reversion_params p, instrument_spec spec,
                 uint64_t cid_base);

  /// The family of a client order id issued with `cid_base`:
  /// `(cid - cid_base) >> 8`. 0 (no family) for an id not above `cid_base`.
  /// The member is `(cid - cid_base) & 0xFF`.
  static uint64_t family_of(client_order_id cid, uint64_t cid_base) noexcept;

  /// Feeds a fresh book view: its mid goes into the bar builder at
  /// `v.venue_time` (`v.local_time` if unset); each completed bar's close
  /// goes into the z-score; stops are checked; the entry watchdog runs
  /// (lifetime, reprice, a pending re-placement); after a bar completes,
  /// entries and exits are evaluated with `v.imbalance`; a pending exit
  /// (residual, or waiting for a cancel) is re-sent.
  strategy_actions on_book(const book_view& v);

  /// A timer tick: flushes bars (evaluating signals on a completed bar with
  /// the last view's imbalance and prices), checks the time stop and the
  /// entry's lifetime (no repricing: that needs a view), re-sends a cancel
  /// not answered within `maker_lifetime`, re-sends a pending exit.
  strategy_actions on_timer(nanos now);

  strategy_actions on_accepted(const order_accepted& e);

  /// Applies one execution: the position is the sum of fills (a fill whose
  /// `cum_qty` does not advance past what was already applied for its order
  /// is a duplicate and ignored). Fills of an entry being cancelled, and of
  /// any member of an entry family, count; a late fill of an old member may
  /// cancel the resting replacement (see the class comment).
  strategy_actions on_fill(const order_filled& e);

  /// A confirmed cancel (or expiry, or IOC remainder). A member cancelled for
  /// a reprice or resize is placed again at once at the last view's touch
  /// (on the next fresh view if the book is stale); an unrequested expiry of
  /// an entry member is a post-only that would have crossed (placed again on
  /// the next view); any other unrequested cancel ends the family.
  strategy_actions on_canceled(const order_canceled& e);

  /// A refused order. An entry refused with `post_only_would_cross` is
  /// placed again on the next view (a reprice: signal "reprice", or the
  /// family gives up at `max_reprices`); any other refused entry ends its
  /// family (flat again, waiting for the next signal); a rejected exit stays
  /// pending and is re-sent after `exit_retry_backoff`. A rejection naming an
  /// accepted order whose cancel was sent is read as the cancel failing: with
  /// `unknown_order` the order is taken as gone (as if cancelled); otherwise
  /// it still rests (a failed reprice cancel lets the watchdog try again).
  strategy_actions on_rejected(const order_rejected& e);

  /// The book went stale: until the next book view no order is priced or
  /// sent. Bars the timer closes meanwhile record their entry/exit signals
  /// as not acted on (why "stale_book") and drop them; a stop found meanwhile
  /// (time stop) is kept and sent on the next fresh view.
  void on_stale();

  /// HALTED: no new orders at all; REDUCING: exits only. Either cancels the
  /// working entry and ends its family (no re-placement). ACTIVE: normal.
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

  /// "flat", "entering" (an entry family works), "long", "short" or
  /// "exiting".
  std::string state_name() const;

  /// An order of ours is working (sent and not done). False between a
  /// post-only cross and its re-placement on the next view.
  bool has_working_order() const noexcept { return working_.has_value(); }

  /// Reprices of the entry family at work (cross re-placements included);
  /// 0 when no entry works.
  size_t entry_reprices() const noexcept {
    return family_ ? family_->reprices : 0;
  }

  trading_state trading() const noexcept { return trading_; }

  const mean_reversion_params& params() const noexcept { return params_; }

  const instrument_spec& spec() const noexcept { return spec_; }

private:
  /// One order of ours, kept while working and for a while after (late fills).
  struct order_record {
    client_order_id cid;
    uint64_t family = 0;
    side sd = side::buy;
    price px;
    quantity qty;
    quantity filled;     ///< Sum of the fills applied.
    quantity venue_cum;  ///< The venue's latest cum_qty (fills or cancel).
    std::string purpose;
    std::string cancel_purpose;
    bool entry = false;
    bool accepted = false;
    bool done = false;
    bool cancel_sent = false;
    nanos sent_at = 0;
    nanos cancel_at = 0;
  };

  /// The orders of one entry intent.
  struct entry_family {
    uint64_t id = 0;
    side sd = side::buy;
    std::string purpose;      ///< "entry_long" or "entry_short".
    quantity intent;          ///< Target size; only ever lowered.
    quantity filled;          ///< Sum of the fills of all members.
    nanos started = 0;        ///< First placement.
    nanos last_reprice = 0;   ///< First placement, then each reprice.
    size_t reprices = 0;
    uint64_t next_member = 0;
    bool replace = false;     ///< A member is to be placed.
    bool ending = false;      ///< Nothing more is placed; ends once idle.
  };

  order_record* find(client_order_id cid) noexcept;
  bool ours(client_order_id cid) const noexcept;
  void finish(client_order_id cid) noexcept;

  bool is_flat() const noexcept;
  bool off_hours(nanos t) const noexcept;
  double z_or_zero() const noexcept;
  quantity floor_lot(quantity q) const noexcept;
  quantity min_lot() const noexcept;

  void push_bars(const std::vector<bar>& bars);
  void evaluate_signals(nanos now, strategy_actions& out);
  void try_entry(side sd, nanos now, double z, strategy_actions& out);
  void check_stops(nanos now, bool check_price, strategy_actions& out);
  void start_exit(const std::string& purpose, nanos now, strategy_actions& out);
  std::string drive_exit(nanos now, strategy_actions& out);
  void request_cancel(order_record& r, const std::string& purpose, nanos now,
                      strategy_actions& out);

  // The entry watchdog.
  order_record* working_entry() noexcept;
  quantity committed() const noexcept;
  bool moved_away(const order_record& r) const noexcept;
  void watch_entry(nanos now, bool with_prices, strategy_actions& out);
  void watch_late_fill(nanos now, strategy_actions& out);
  void place_member(nanos now, strategy_actions& out);
  void on_cross(nanos now, strategy_actions& out);
  void member_gone(order_record& r, bool requested, bool expired, nanos now,
                   strategy_actions& out);
  void give_up(const std::string& why, nanos now, strategy_actions& out);
  void end_family() noexcept;
  void settle_family() noexcept;
  void signal(const std::string& name, const std::string& why, nanos now,
              strategy_actions& out) const;

  void apply_fill(side sd, price px, quantity qty, nanos t);
  client_order_id make_cid(uint64_t family, uint64_t member) const noexcept;
  void send(client_order_id cid, side sd, time_in_force tif, price px,
            quantity qty, bool reduce_only, const std::string& purpose,
            bool entry, nanos now, strategy_actions& out);

  mean_reversion_params params_;
  instrument_spec spec_;
  uint64_t cid_base_;
  uint64_t family_seq_ = 0;  ///< Last family number issued.

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
  std::optional<entry_family> family_; ///< The entry at work.
  std::string pending_exit_;           ///< Purpose of an exit under way.
  uint64_t exit_family_ = 0;           ///< Family of the exit under way (0: none yet).
  uint64_t exit_member_ = 0;           ///< Next member of that family.
  nanos exit_retry_after_ = 0;
};

} // namespace agora
