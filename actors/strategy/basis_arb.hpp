#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/strategy/net_yield.hpp"
#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/market_data.hpp"
#include "messages/orders.hpp"
#include "messages/time.hpp"
#include "messages/trading.hpp"

namespace agora {

/// Settings of the spot-perpetual basis / funding arbitrage (PRODUCT.md
/// section 2). Defaults are the documented ones.
struct basis_params {
  notional trade_notional = notional::from_units(1000); ///< Quote spent on the spot leg per trade.
  double entry_threshold_bps = 10;   ///< Open when net > this.
  double exit_threshold_bps = 1;     ///< Close an open position when net < this.
  double safety_buffer_bps = 3;
  bool include_funding = true;       ///< Count the next funding payment in the expected yield...
  nanos funding_horizon = 8 * 3600 * ns_per_s; ///< ...when it is due within this horizon.
  bool allow_reverse = false;        ///< Also short spot / long perp when the perp trades below spot (venues that lend spot).
  double slippage_tolerance_bps = 5; ///< IOC leg limits: the VWAP walk's worst level moved this far against us.
  nanos leg_deadline = 5 * ns_per_s; ///< Both legs must be filled within this (the coordinator enforces it).
  nanos cooldown = 60 * ns_per_s;    ///< After a round trip closes (or a trade fails cleanly) wait this long.
  nanos max_quote_skew = 1 * ns_per_s; ///< Both books' last views must be within this of each other (event time).
  nanos retry_backoff = 5 * ns_per_s; ///< After a close that did not fill (outcome none), wait this long to retry.
};

/// A yield evaluation, acted on or not (journaled as a signal).
struct basis_signal {
  nanos time = 0;
  std::string name;   ///< "open", "close", "open_reverse".
  double net_bps = 0; ///< The evaluated net yield.
  double gross_bps = 0;
  double funding_bps = 0;
  bool acted = false;
  std::string why;    ///< Empty when acted; else "cooldown", "insufficient_depth", "below_min_notional", "trading_halted",
                      ///< "trading_reducing", "stale_book", "quote_skew", "trade_working", "halted_leg_risk",
                      ///< "retry_backoff", "lot_mismatch".
};

struct basis_actions {
  std::optional<two_leg_request> trade; ///< strategy and local_time left empty: the actor fills them.
  std::vector<basis_signal> signals;
  bool empty() const noexcept { return !trade && signals.empty(); }
};

/// The pure core of the spot-perpetual basis / funding arbitrage for one
/// underlying: a spot instrument and its linear perpetual.
///
/// Evaluation. On every book view of either leg, once both legs have a fresh
/// view (a stale notice clears that leg's view until its next one), the
/// strategy prices what it would do now. Event time is a view's venue time
/// (its local time when 0).
/// - Entry, normal direction (long spot / short perp): walk the spot ASKS for
///   `trade_notional` quote, the quantity floored to the trade lot (the
///   coarser of the two lots when the finer divides it, else their least
///   common multiple; "lot_mismatch" when neither exists), then walk the perp
///   BIDS for the same quantity. gross = (perp_bid_vwap - spot_ask_vwap) /
///   spot_ask_vwap; net via `net_yield` with each leg's own fees, the safety
///   buffer and, when `include_funding`, the next funding payment (a short
///   perp earns a positive rate) if it is due within `funding_horizon`.
/// - Entry, reverse direction (only with `allow_reverse`): walk the spot BIDS
///   for `trade_notional`, the perp ASKS for the same quantity; gross =
///   (spot_bid_vwap - perp_ask_vwap) / perp_ask_vwap; the long perp pays the
///   funding rate (funding counts negated).
/// - Exit (a position is held): the CLOSING side is priced for the held
///   quantities with the same formula. For a normal position, walk the spot
///   BIDS for the held spot quantity and the perp ASKS for the held perp
///   quantity: gross = (perp_ask_vwap - spot_bid_vwap) / spot_bid_vwap, the
///   basis still left; net = gross - the fees of a round trip - buffer +
///   funding still to earn. When net < `exit_threshold_bps` the remaining
///   basis no longer pays for holding: close. A reverse position mirrors it
///   (spot ASKS, perp BIDS, gross = (spot_ask - perp_bid) / perp_bid).
///   Hysteresis: open needs net > entry, close needs net < exit.
///
/// Acting. Every trade is one `two_leg_request` (legs in the order [spot,
/// perp], IOC, deadline `leg_deadline`, trade numbers 1, 2, ...). Leg limits
/// are the walk's worst level moved `slippage_tolerance_bps` against us and
/// rounded outward to the leg's tick (a buy ceiled, a sell floored), so an
/// IOC takes all the levels the walk priced. Both legs' limit x quantity
/// must reach their instrument's min_notional. Open: spot buy + perp sell
/// (reduce_only false) for the normal direction, spot sell + perp buy for the
/// reverse; purpose "open" for both. Close: each leg's whole held quantity,
/// the perp leg reduce_only; purpose "close".
///
/// States: closed -> opening -> open -> closing -> cooldown -> closed; one
/// trade works at a time. Results of the trade asked for (others are
/// ignored): opening + filled -> open; opening + none -> cooldown; closing +
/// filled -> cooldown; closing + none -> open, the close retried no earlier
/// than `retry_backoff` after the result; unwound or unwind_failed (leg risk)
/// -> halted. Positions always follow the reported fills of the legs and the
/// unwinds, whatever the outcome, and after filled or none the state follows
/// the positions: both legs flat -> cooldown; hedged -> open (after a close:
/// a hedged partial close, which the coordinator reports as filled, retries
/// the rest after `retry_backoff`); unhedged -> halted ("unhedged after
/// trade"). Cooldown and backoff run from the result's `finished` time (the
/// latest event time seen when 0).
///
/// HALTED BY LEG RISK IS FINAL FOR THE INSTANCE: `set_trading_state(active)`
/// after a halt does NOT clear it (the trading state is a different thing:
/// the operator's ACTIVE / REDUCING / HALTED). Only a new instance, rebuilt
/// with `restore_position` after an operator checked the positions, trades
/// again. Trading states: HALTED allows nothing; REDUCING allows closes only.
///
/// Signals. Each direction ("open", "open_reverse", "close") remembers its
/// last decision: idle (threshold not crossed), acted, or blocked with a
/// reason. A signal is emitted only when that decision changes to acted or to
/// a different block (not on every book view), so a standing opportunity
/// blocked by a cooldown is journaled once, then once more when it is acted
/// on. While the trade it asked for works, "trade_working" is not reported
/// again for the same crossing. Block reasons, in priority order: entries:
/// halted_leg_risk, trading_halted, trading_reducing, trade_working,
/// cooldown, quote_skew, insufficient_depth, below_min_notional; closes:
/// halted_leg_risk, trading_halted, trade_working, retry_backoff, quote_skew,
/// insufficient_depth, below_min_notional. "insufficient_depth": the books
/// cannot take the full size; the yield is then priced on the depth there is
/// and the signal is emitted only if that crosses the threshold. "stale_book":
/// a view arrived while the other leg is stale; a direction whose last
/// decision had crossed the threshold records it once (with the last net).
/// "lot_mismatch": the two lots have no common multiple in range (emitted
/// once, without a yield).
///
/// Steady state (no decision change) allocates nothing: the views are
/// copied into reused buffers and the walks do not allocate.
///
/// Time comes only from the arguments; the caller keeps book event times,
/// timer ticks and result times on one timeline. No clock, no I/O.
class basis_arb {
public:
  /// `spot`, `perp`: the two instruments (perp.perpetual is true). They
  /// must differ in venue or symbol: fills are attributed by venue + symbol.
  basis_arb(basis_params p, instrument_spec spot, instrument_spec perp);

  /// A fresh view of the spot book (evaluates when the perp view is fresh).
  basis_actions on_spot_book(const book_view& v);
  /// A fresh view of the perp book (evaluates when the spot view is fresh).
  basis_actions on_perp_book(const book_view& v);

  /// The spot book went stale: no evaluation until its next view.
  void on_spot_stale();
  /// The perp book went stale: no evaluation until its next view.
  void on_perp_stale();

  /// Remembers the perpetual's next funding rate and time (updates for
  /// another venue or symbol are ignored).
  void on_funding(const funding_update& f);

  /// Ends a cooldown or a close backoff that is due at `now`; when one ended
  /// and both views are fresh, re-evaluates the last views at `now`.
  basis_actions on_timer(nanos now);

  /// The coordinator's verdict on the trade last asked for.
  basis_actions on_trade_result(const two_leg_result& r);

  /// Records the trading state (the most restrictive of the scopes that apply
  /// to this instance); when both views are fresh, re-evaluates them at `now`
  /// so a blocked or released decision is reported at once. Does not clear a
  /// halt by leg risk.
  basis_actions set_trading_state(trading_state s, nanos now);

  /// Recovery: fills of this strategy's orders from the journal, oldest first (both instruments, including unwinds).
  /// Rebuilds both legs' positions; hedged (|spot + perp| < one lot of the coarser instrument) and non-zero -> open;
  /// both flat -> closed; otherwise -> halted ("unhedged at start").
  ///
  /// A leg is flat when |position| < the coarser lot; "open" needs both legs
  /// non-flat. Call before the first event; any working trade is forgotten.
  void restore_position(const std::vector<order_filled>& fills);

  // -- inspection -------------------------------------------------------------

  /// "closed", "opening", "open", "closing", "cooldown", "halted".
  std::string state_name() const;
  /// Signed spot position: the sum of fills.
  quantity spot_position() const noexcept { return spot_pos_; }
  /// Signed perp position: the sum of fills.
  quantity perp_position() const noexcept { return perp_pos_; }
  /// Last evaluation (normal direction): the entry yield while no position is
  /// held, the closing-side yield while a normal position is held; empty
  /// when the last such evaluation could not price the full size.
  std::optional<yield_breakdown> last_yield() const noexcept { return last_yield_; }
  /// Evaluations made (book views with both legs fresh, plus re-evaluations
  /// by the timer and trading-state changes).
  uint64_t evaluations() const noexcept { return evaluations_; }
  trading_state trading() const noexcept { return trading_; }
  const basis_params& params() const noexcept { return params_; }

  /// The quantity step of every trade (zero when the lots mismatch).
  quantity trade_lot() const noexcept { return lot_; }
  /// Why the instance is halted ("leg_risk: unwound", "leg_risk:
  /// unwind_failed", "unhedged at start", "unhedged after trade"); empty
  /// when it is not.
  const std::string& halt_reason() const noexcept { return halt_reason_; }

private:
  enum class phase : uint8_t { closed = 1, opening, open, closing, cooldown, halted };

  /// Why a crossing was not acted on; `none` when acted (or idle).
  enum class block : uint8_t {
    none = 0,
    cooldown,
    insufficient_depth,
    below_min_notional,
    trading_halted,
    trading_reducing,
    stale_book,
    quote_skew,
    trade_working,
    halted_leg_risk,
    lot_mismatch,
    retry_backoff,
  };

  /// The three decisions tracked for signals.
  enum slot : uint8_t { slot_open = 0, slot_open_reverse = 1, slot_close = 2, slot_count = 3 };

  /// One decision: idle (`crossed` false), acted (`why` none) or blocked.
  struct decision {
    bool crossed = false;
    block why = block::none;
    double net_bps = 0;
    double gross_bps = 0;
    double funding_bps = 0;
  };

  /// The last fresh view of one leg: copies of its levels in reused buffers.
  struct leg_view {
    std::vector<book_level> bids;
    std::vector<book_level> asks;
    nanos time = 0;
    bool fresh = false;
  };

  /// Both legs' walks for one direction and the yield they price.
  struct pricing {
    bool priced = false; ///< Some yield was computed.
    bool full = false;   ///< ... for the full size.
    vwap_fill spot;
    vwap_fill perp;
    yield_breakdown yield;
  };

  basis_actions on_book(leg_view& mine, const leg_view& other,
                        const book_view& v);
  void evaluate(nanos now, basis_actions& out);
  void evaluate_entry(bool reverse, nanos now, basis_actions& out);
  void evaluate_exit(nanos now, basis_actions& out);
  void mark_stale(nanos now, basis_actions& out);

  pricing price_entry(bool reverse, nanos now) const noexcept;
  pricing price_exit(bool reverse, quantity spot_qty, quantity perp_qty,
                     nanos now) const noexcept;
  yield_breakdown yield_of(bool reverse, const vwap_fill& spot,
                           const vwap_fill& perp, nanos now) const noexcept;
  double funding_bps(bool reverse, nanos now) const noexcept;

  bool legs_meet_min_notional(const leg_order& spot, const leg_order& perp) const noexcept;
  leg_order spot_leg(side sd, const vwap_fill& walk) const noexcept;
  leg_order perp_leg(side sd, const vwap_fill& walk, bool reduce_only) const noexcept;
  price limit_for(side sd, price worst, price tick) const noexcept;
  void send(const char* purpose, leg_order spot, leg_order perp, phase next,
            basis_actions& out);

  void settle(nanos t, bool after_close);
  void record(slot s, const decision& d, nanos now, basis_actions& out);
  void apply(const leg_report& r) noexcept;
  bool is_flat(quantity q) const noexcept;
  bool quotes_skewed() const noexcept;

  basis_params params_;
  instrument_spec spot_;
  instrument_spec perp_;
  quantity lot_;          ///< Trade lot; zero on a lot mismatch.
  quantity coarse_lot_;   ///< The larger of the two lots (flatness, hedge check).
  int64_t tolerance_raw_; ///< slippage_tolerance_bps as a fraction at 1e-8.
  double spot_taker_, spot_maker_, perp_taker_, perp_maker_;

  leg_view spot_view_;
  leg_view perp_view_;

  rate funding_rate_;
  nanos next_funding_time_ = 0;

  phase phase_ = phase::closed;
  trading_state trading_ = trading_state::active;
  std::string halt_reason_;
  quantity spot_pos_;
  quantity perp_pos_;
  uint64_t trade_seq_ = 0;
  std::optional<uint64_t> working_; ///< Trade number of the trade under way.
  nanos cooldown_until_ = 0;
  nanos retry_after_ = 0;           ///< A failed close waits until then (0: no wait).
  nanos last_time_ = 0;             ///< Latest event time seen.

  std::array<decision, slot_count> last_{};
  std::optional<yield_breakdown> last_yield_;
  uint64_t evaluations_ = 0;
};

} // namespace agora
