#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/market_data.hpp"
#include "messages/orders.hpp"
#include "messages/time.hpp"
#include "messages/trading.hpp"

namespace agora {

/// Settings of a two-leg trade's unwind.
struct two_leg_params {
  nanos unwind_retry = 500 * ns_per_s / 1000; ///< Wait between unwind attempts (an unwind rejected or partly filled).
  int max_unwind_attempts = 3;                ///< Unwind orders in all (the first one included).
};

/// What one call into a two-leg trade wants done, in order.
struct two_leg_actions {
  std::vector<submit_order> orders;   ///< To risk, in order.
  std::vector<cancel_order> cancels;  ///< To the gateway.
  std::optional<two_leg_result> finished; ///< Set exactly once, when the trade is over.
  bool leg_risk = false;              ///< Set once, on the call that first detects leg risk (the actor alerts at once).
  /// Why (for the alert), with both legs' states: set with `leg_risk`, and
  /// with `finished` (then equal to `finished->detail`).
  std::string detail;

  /// Nothing to send or report.
  bool empty() const noexcept {
    return orders.empty() && cancels.empty() && !finished && !leg_risk;
  }
};

/// The pure execution core of one two-leg (hedged) trade (PRODUCT.md
/// section 3, "Two-leg dispatch"): it sends both legs together, follows
/// their events, and unwinds naked exposure when the legs do not fill alike.
///
/// Legs: both leave in `start()` as limit orders with the leg's time in
/// force, client ids `cid_base + 1` (leg 0) and `cid_base + 2` (leg 1). Fills
/// are applied once per advance of the venue's `cum_qty` (duplicates and
/// stale fills are ignored; a fill never takes an order beyond its
/// quantity); an order's filled quantity is also raised to the `cum_qty` of
/// its cancel, so a fill still in flight is counted. As soon as one leg fails
/// (rejected, or canceled/expired short of its quantity) while the other is
/// still working, the other is cancelled at once; at the deadline every leg
/// still working is cancelled. A cancel the venue refuses as an unknown
/// order is harmless when the order is over; if the order is still working
/// the cancel is sent again on a timer tick, `unwind_retry` later.
///
/// Exposure is computed only once both legs are terminal: +filled for a buy,
/// -filled for a sell, summed over the legs (one base asset). The legs must
/// be of opposite sides. If |exposure| is below the lot of the instrument of
/// the leg with more filled, there is no leg risk: the outcome is `filled`
/// when anything filled -- both legs completely, or hedged partials (both
/// legs filled the same amount, up to less than a lot; `legs[i].filled`
/// tells which) -- and `none` when nothing filled at all.
///
/// Otherwise it is leg risk (`leg_risk` is set on that call): an emergency
/// market IOC order on the leg with more filled, opposite to that leg, for
/// |exposure| floored to its lot, reduce-only when that instrument is a
/// perpetual, priced at the latest reference price of that instrument when
/// known (informational; zero otherwise), with client ids `cid_base + 3`,
/// `+ 4`, ... When an unwind is terminal and |exposure| is still at least a
/// lot, another is sent on the first timer tick `unwind_retry` later, up to
/// `max_unwind_attempts` unwind orders in all; then the trade finishes as
/// `unwind_failed`. Back below one lot, it finishes as `unwound`.
///
/// Time comes only from arguments: `start`, `on_deadline` and `on_timer`
/// take it; events use their `local_time` (or the latest time seen when it
/// is zero). No clock, no I/O, no exceptions. A request that is not exactly
/// two legs of opposite sides with positive quantities and one spec each
/// finishes in `start()` with outcome `none` and nothing sent.
class two_leg {
public:
  /// `specs[i]` is the instrument of `req.legs[i]` (exactly two legs). Client ids: cid_base + 1, + 2, ...
  two_leg(two_leg_request req, std::vector<instrument_spec> specs,
          uint64_t cid_base, two_leg_params p = {});

  /// Both legs, as submit_orders (strategy = req.strategy, type limit, tif from the leg, local_time now).
  /// A second call returns nothing.
  two_leg_actions start(nanos now);

  two_leg_actions on_accepted(const order_accepted& e);
  two_leg_actions on_filled(const order_filled& e);
  two_leg_actions on_canceled(const order_canceled& e);
  two_leg_actions on_rejected(const order_rejected& e);

  /// The deadline (start + req.deadline) passed: every leg not terminal is cancelled.
  two_leg_actions on_deadline(nanos now);

  /// A periodic tick (the actor sends one every ~100 ms): sends a due unwind
  /// retry (and a due re-sent cancel). `ref0`/`ref1`, when given, update the
  /// reference prices first.
  two_leg_actions on_timer(nanos now, std::optional<price> ref0,
                           std::optional<price> ref1);

  /// Latest reference prices (mid or best opposite) of each leg's instrument, used to price unwinds.
  /// `leg` is 0 or 1 (others are ignored); a non-positive price is ignored.
  void set_reference(size_t leg, price px);

  /// The trade is over (`finished` was returned).
  bool done() const noexcept;

  /// The result so far (legs' states) -- the same value `finished` carries
  /// at the end. While the trade runs, `outcome` is `none` and `finished` is
  /// `now`.
  two_leg_result snapshot(nanos now) const;

  /// True if `cid` is one of this trade's orders (a leg or an unwind).
  bool ours(client_order_id cid) const noexcept;

  /// When the deadline falls (start + req.deadline); 0 before `start()`.
  nanos deadline_at() const noexcept;

  /// Signed base exposure so far: +filled of buys, -filled of sells, over
  /// both legs and every unwind.
  quantity exposure() const noexcept;

private:
  /// One order of the trade (a leg or an unwind) and what became of it.
  struct tracked {
    leg_report report;    ///< filled/avg_px/fees/status as known.
    notional value;       ///< Sum of fill price x fill quantity.
    quantity applied;     ///< Quantity applied from fills (cum_qty advances).
    bool cancel_sent = false;
    nanos cancel_retry_at = 0; ///< Re-send the cancel at this time (0: none due).
  };

  enum class phase : uint8_t {
    idle = 1,      ///< Not started.
    legs = 2,      ///< Legs working.
    unwinding = 3, ///< Leg risk: an unwind working or a retry due.
    over = 4,
  };

  static bool terminal(order_status s) noexcept;
  static bool failed(const tracked& o) noexcept;
  static quantity signed_filled(const tracked& o) noexcept;

  tracked* find(client_order_id cid) noexcept;
  nanos time_of(nanos event_time) noexcept;
  /// A cancel of `o`, marked as sent.
  cancel_order make_cancel(tracked& o, nanos now) const;
  /// Applies a fill; returns false if it was a duplicate or stale.
  bool apply_fill(tracked& o, const order_filled& e);

  /// Moves the trade on after any event: cancels the other leg of a failed
  /// leg, computes exposure once both legs are terminal, follows unwinds.
  void advance(nanos now, two_leg_actions& out);
  void send_unwind(nanos now, two_leg_actions& out);
  void finish(two_leg_outcome outcome, nanos now, two_leg_actions& out);

  std::string legs_text() const;
  std::string summary() const;
  static std::string order_text(const tracked& o);

  two_leg_request req_;
  std::vector<instrument_spec> specs_;
  uint64_t cid_base_ = 0;
  two_leg_params params_;
  bool valid_ = false;
  std::string invalid_why_;
  phase phase_ = phase::idle;
  std::vector<tracked> legs_;
  std::vector<tracked> unwinds_;
  std::array<std::optional<price>, 2> refs_;
  size_t unwind_leg_ = 0;       ///< The leg whose instrument is unwound.
  quantity risk_exposure_;      ///< Exposure when leg risk was detected.
  nanos retry_at_ = 0;          ///< Next unwind due at (0: none due).
  nanos started_ = 0;
  nanos deadline_at_ = 0;
  nanos finished_at_ = 0;
  nanos last_now_ = 0;
  two_leg_outcome outcome_ = two_leg_outcome::none;
};

} // namespace agora
