#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "messages/ids.hpp"
#include "messages/orders.hpp"
#include "messages/time.hpp"

namespace agora {

/// What the tracker made of one event. Anything but `ok` changes nothing.
enum class track_outcome : uint8_t {
  ok = 1,
  duplicate = 2,          ///< Already known: a live cid, a second accept or cancel.
  unknown_order = 3,      ///< No order with that client id (or it was dropped).
  illegal_transition = 4, ///< The event contradicts the order's status.
  overfill = 5,           ///< The fill would take cum_qty above qty.
  duplicate_fill = 6,     ///< A trade id already applied to this order.
  invalid_fill = 7,       ///< A fill with a non-positive quantity.
};

/// Returns a short, stable name for `x`.
const char* to_string(track_outcome x) noexcept;

/// The order lifecycle state machine of one gateway (one venue account).
///
/// Legal moves:
/// - pending_new -> accepted | partially_filled | filled | pending_cancel |
///   rejected | canceled;
/// - accepted -> partially_filled | filled | pending_cancel | canceled;
/// - partially_filled -> partially_filled | filled | pending_cancel | canceled;
/// - pending_cancel -> filled | canceled | rejected (only before any accept
///   or fill) | back to the live status it left (`on_cancel_rejected`).
/// Terminal statuses never change. Venues race, so a fill may come before the
/// accept (pending_new + fill counts as accepted + fill, and the late accept
/// is `ok` without changing the status), a fill after a cancel request still
/// counts, and a fill that arrives after the cancel confirmation is counted
/// (cum_qty grows) while the status stays canceled. cum_qty is the sum of
/// applied fills and never exceeds qty.
///
/// Finished orders beyond `keep_terminal` are forgotten, the earliest
/// finished first, so memory stays bounded by open orders + keep_terminal.
class order_tracker {
public:
  /// `keep_terminal`: how many finished orders to keep for reports.
  explicit order_tracker(size_t keep_terminal = 10'000);

  /// Tracks a new order (already rounded) as pending_new at `now`. A cid that
  /// is live -> `duplicate`; a cid of a finished order starts a new order
  /// and the finished one is forgotten.
  track_outcome on_new(const submit_order& o, nanos now);

  /// Takes over an order a previous run left open (recovery): tracked with
  /// the status, venue order id and cumulative quantity the journal has
  /// (`status` must be live). Same duplicate rule as `on_new`.
  track_outcome adopt(const submit_order& o, order_id oid, quantity cum_qty,
                      order_status status, nanos now);

  /// The venue accepted: pending_new -> accepted. Also legal after a cancel
  /// request (stays pending_cancel) or a racing fill or cancel (status
  /// unchanged). Records the venue's order id. A second accept ->
  /// `duplicate`; after a reject -> `illegal_transition`.
  track_outcome on_accepted(const order_accepted& e);

  /// The venue refused: pending_new -> rejected (terminal); also from
  /// pending_cancel if nothing was accepted or filled. A second reject ->
  /// `duplicate`; anything else -> `illegal_transition`.
  track_outcome on_rejected(const order_rejected& e);

  /// One execution. Deduplicated by trade id per order (`duplicate_fill`;
  /// trade id 0 means "none" and is not deduplicated); cum_qty never exceeds
  /// qty (`overfill`); on a rejected order -> `illegal_transition`. Moves a
  /// live order to partially_filled or filled (pending_cancel stays until
  /// completely filled).
  track_outcome on_fill(const order_filled& e);

  /// A cancel was sent: live -> pending_cancel. Already pending_cancel ->
  /// `duplicate`; terminal -> `illegal_transition`.
  track_outcome on_cancel_requested(client_order_id cid, nanos now);

  /// The venue refused a cancel (e.g. too late): pending_cancel goes back to
  /// the live status it stands for (partially_filled if anything filled,
  /// else accepted if the venue accepted, else pending_new). Not
  /// pending_cancel -> `illegal_transition`.
  track_outcome on_cancel_rejected(client_order_id cid, nanos now);

  /// The order is done without a complete fill: any live status -> canceled
  /// (terminal). Already canceled -> `duplicate`; filled, rejected or
  /// expired -> `illegal_transition`.
  track_outcome on_canceled(const order_canceled& e);

  /// The order with client id `cid`, or nullptr. The pointer is valid until
  /// the next call that changes the tracker.
  const order_view* find(client_order_id cid) const;

  /// All non-terminal orders, oldest first.
  std::vector<order_view> open_orders() const;

  /// Up to `n` known orders (open and finished), newest first.
  std::vector<order_view> recent(size_t n) const;

  /// Number of non-terminal orders.
  size_t open_count() const noexcept;

  /// Number of fills applied (outcome `ok`).
  uint64_t fills_seen() const noexcept;

  /// True when a fill of `cid` reaching cumulative quantity `cum` was
  /// applied already this run, or the order was adopted with at least `cum`
  /// filled (the journal holds those fills): the journal's own rule (one
  /// fill per venue, order and cumulative quantity), known in-line.
  bool has_fill_at(client_order_id cid, quantity cum) const;

  /// Number of orders known (open and kept finished ones).
  size_t size() const noexcept { return orders_.size(); }

private:
  struct record {
    order_view view;
    uint64_t created_seq = 0;
    uint64_t finished_seq = 0; ///< 0 while live.
    bool acked = false;        ///< The venue's accept arrived.
    std::vector<trade_id> trades;
    std::vector<quantity> cums; ///< Cumulative quantity after each fill applied.
    quantity adopted_cum;       ///< Filled when adopted (journaled by a previous run).
  };

  record* lookup(client_order_id cid);
  void finish(record& r, order_status s, nanos now);
  void forget(client_order_id cid);
  void trim();

  size_t keep_terminal_;
  uint64_t next_seq_ = 1;
  uint64_t fills_ = 0;
  std::unordered_map<client_order_id, record> orders_;
  std::map<uint64_t, client_order_id> by_age_;   ///< Every known order.
  std::map<uint64_t, client_order_id> open_;     ///< Live orders.
  std::map<uint64_t, client_order_id> finished_; ///< By finishing order.
};

} // namespace agora
