#include "actors/gateway/order_tracker.hpp"

#include <algorithm>

namespace agora {

const char* to_string(track_outcome x) noexcept {
  switch (x) {
    case track_outcome::ok:
      return "ok";
    case track_outcome::duplicate:
      return "duplicate";
    case track_outcome::unknown_order:
      return "unknown_order";
    case track_outcome::illegal_transition:
      return "illegal_transition";
    case track_outcome::overfill:
      return "overfill";
    case track_outcome::duplicate_fill:
      return "duplicate_fill";
    case track_outcome::invalid_fill:
      return "invalid_fill";
  }
  return "unknown";
}

order_tracker::order_tracker(size_t keep_terminal)
  : keep_terminal_(keep_terminal) {
  // nop
}

order_tracker::record* order_tracker::lookup(client_order_id cid) {
  auto i = orders_.find(cid);
  return i == orders_.end() ? nullptr : &i->second;
}

void order_tracker::finish(record& r, order_status s, nanos now) {
  r.view.status = s;
  r.view.updated = now;
  open_.erase(r.created_seq);
  r.finished_seq = next_seq_++;
  finished_.emplace(r.finished_seq, r.view.cid);
  trim();
}

void order_tracker::forget(client_order_id cid) {
  auto i = orders_.find(cid);
  if (i == orders_.end())
    return;
  by_age_.erase(i->second.created_seq);
  open_.erase(i->second.created_seq);
  if (i->second.finished_seq != 0)
    finished_.erase(i->second.finished_seq);
  orders_.erase(i);
}

void order_tracker::trim() {
  while (finished_.size() > keep_terminal_)
    forget(finished_.begin()->second);
}

track_outcome order_tracker::on_new(const submit_order& o, nanos now) {
  if (auto* r = lookup(o.cid)) {
    if (!is_terminal(r->view.status))
      return track_outcome::duplicate;
    forget(o.cid); // a finished order's cid, reused
  }
  record r;
  r.view.cid = o.cid;
  r.view.venue = o.venue;
  r.view.symbol = o.symbol;
  r.view.sd = o.sd;
  r.view.type = o.type;
  r.view.tif = o.tif;
  r.view.px = o.px;
  r.view.qty = o.qty;
  r.view.status = order_status::pending_new;
  r.view.strategy = o.strategy;
  r.view.created = now;
  r.view.updated = now;
  r.created_seq = next_seq_++;
  by_age_.emplace(r.created_seq, o.cid);
  open_.emplace(r.created_seq, o.cid);
  orders_.emplace(o.cid, std::move(r));
  return track_outcome::ok;
}

track_outcome order_tracker::adopt(const submit_order& o, order_id oid,
                                   quantity cum_qty, order_status status,
                                   nanos now) {
  if (is_terminal(status) || cum_qty > o.qty || cum_qty.is_negative())
    return track_outcome::illegal_transition;
  auto outcome = on_new(o, now);
  if (outcome != track_outcome::ok)
    return outcome;
  auto& r = orders_.at(o.cid);
  r.view.oid = oid;
  r.view.cum_qty = cum_qty;
  r.adopted_cum = cum_qty;
  r.view.status = status;
  r.acked = oid.valid() || status != order_status::pending_new;
  return track_outcome::ok;
}

track_outcome order_tracker::on_accepted(const order_accepted& e) {
  auto* r = lookup(e.cid);
  if (r == nullptr)
    return track_outcome::unknown_order;
  if (r->acked)
    return track_outcome::duplicate;
  if (r->view.status == order_status::rejected)
    return track_outcome::illegal_transition;
  r->acked = true;
  if (!r->view.oid.valid())
    r->view.oid = e.oid;
  if (r->view.status == order_status::pending_new)
    r->view.status = order_status::accepted;
  // Otherwise a cancel request, a fill or a cancel raced ahead of the
  // accept: the status it reached stands.
  r->view.updated = e.local_time;
  return track_outcome::ok;
}

track_outcome order_tracker::on_rejected(const order_rejected& e) {
  auto* r = lookup(e.cid);
  if (r == nullptr)
    return track_outcome::unknown_order;
  switch (r->view.status) {
    case order_status::rejected:
      return track_outcome::duplicate;
    case order_status::pending_new:
      break;
    case order_status::pending_cancel:
      if (r->acked || r->view.cum_qty.is_positive())
        return track_outcome::illegal_transition;
      break;
    default:
      return track_outcome::illegal_transition;
  }
  finish(*r, order_status::rejected, e.local_time);
  return track_outcome::ok;
}

track_outcome order_tracker::on_fill(const order_filled& e) {
  auto* r = lookup(e.cid);
  if (r == nullptr)
    return track_outcome::unknown_order;
  if (!e.fill_qty.is_positive())
    return track_outcome::invalid_fill;
  if (e.tid.valid()
      && std::find(r->trades.begin(), r->trades.end(), e.tid) != r->trades.end())
    return track_outcome::duplicate_fill;
  auto status = r->view.status;
  if (status == order_status::rejected)
    return track_outcome::illegal_transition;
  if (e.fill_qty > r->view.qty - r->view.cum_qty)
    return track_outcome::overfill;
  if (e.tid.valid())
    r->trades.push_back(e.tid);
  r->cums.push_back(e.cum_qty);
  r->view.cum_qty += e.fill_qty;
  r->view.updated = e.local_time;
  if (!r->view.oid.valid())
    r->view.oid = e.oid;
  ++fills_;
  if (is_terminal(status))
    return track_outcome::ok; // a fill that trailed the cancel confirmation
  if (r->view.cum_qty == r->view.qty)
    finish(*r, order_status::filled, e.local_time);
  else if (status != order_status::pending_cancel)
    r->view.status = order_status::partially_filled;
  return track_outcome::ok;
}

bool order_tracker::has_fill_at(client_order_id cid, quantity cum) const {
  auto i = orders_.find(cid);
  if (i == orders_.end() || !cum.is_positive())
    return false;
  auto& r = i->second;
  return cum <= r.adopted_cum
         || std::find(r.cums.begin(), r.cums.end(), cum) != r.cums.end();
}

track_outcome order_tracker::on_cancel_requested(client_order_id cid,
                                                 nanos now) {
  auto* r = lookup(cid);
  if (r == nullptr)
    return track_outcome::unknown_order;
  if (is_terminal(r->view.status))
    return track_outcome::illegal_transition;
  if (r->view.status == order_status::pending_cancel)
    return track_outcome::duplicate;
  r->view.status = order_status::pending_cancel;
  r->view.updated = now;
  return track_outcome::ok;
}

track_outcome order_tracker::on_cancel_rejected(client_order_id cid,
                                                nanos now) {
  auto* r = lookup(cid);
  if (r == nullptr)
    return track_outcome::unknown_order;
  if (r->view.status != order_status::pending_cancel)
    return track_outcome::illegal_transition;
  if (r->view.cum_qty.is_positive())
    r->view.status = order_status::partially_filled;
  else if (r->acked)
    r->view.status = order_status::accepted;
  else
    r->view.status = order_status::pending_new;
  r->view.updated = now;
  return track_outcome::ok;
}

track_outcome order_tracker::on_canceled(const order_canceled& e) {
  auto* r = lookup(e.cid);
  if (r == nullptr)
    return track_outcome::unknown_order;
  if (r->view.status == order_status::canceled)
    return track_outcome::duplicate;
  if (is_terminal(r->view.status))
    return track_outcome::illegal_transition;
  if (!r->view.oid.valid())
    r->view.oid = e.oid;
  finish(*r, order_status::canceled, e.local_time);
  return track_outcome::ok;
}

const order_view* order_tracker::find(client_order_id cid) const {
  auto i = orders_.find(cid);
  return i == orders_.end() ? nullptr : &i->second.view;
}

std::vector<order_view> order_tracker::open_orders() const {
  std::vector<order_view> out;
  out.reserve(open_.size());
  for (const auto& [seq, cid] : open_)
    out.push_back(orders_.at(cid).view);
  return out;
}

std::vector<order_view> order_tracker::recent(size_t n) const {
  std::vector<order_view> out;
  out.reserve(std::min(n, by_age_.size()));
  for (auto i = by_age_.rbegin(); i != by_age_.rend() && out.size() < n; ++i)
    out.push_back(orders_.at(i->second).view);
  return out;
}

size_t order_tracker::open_count() const noexcept {
  return open_.size();
}

uint64_t order_tracker::fills_seen() const noexcept {
  return fills_;
}

} // namespace agora
