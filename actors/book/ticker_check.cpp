#include "actors/book/ticker_check.hpp"

namespace agora {

namespace {

std::string show(const std::optional<book_level>& l) {
  return l ? l->px.to_string() + "@" + l->qty.to_string() : std::string{"none"};
}

} // namespace

void ticker_check::on_ticker(const book_ticker& t, bool synced, uint64_t last_applied) {
  ++tickers_;
  if (!synced || t.update_id == 0)
    return;
  if (t.update_id > last_applied) {
    if (pending_.size() == max_pending)
      pending_.pop_front();
    pending_.push_back(t);
    return;
  }
  for (const auto& r : recent_)
    if (r.id == t.update_id) {
      compare(t, r);
      return;
    }
}

void ticker_check::on_applied(uint64_t last_id, const std::optional<book_level>& bid,
                              const std::optional<book_level>& ask) {
  top now{last_id, bid, ask};
  recent_[next_recent_] = now;
  next_recent_ = (next_recent_ + 1) % history;
  while (!pending_.empty() && pending_.front().update_id <= last_id) {
    if (pending_.front().update_id == last_id)
      compare(pending_.front(), now);
    pending_.pop_front();
  }
}

void ticker_check::reset() {
  pending_.clear();
  recent_.fill(top{});
}

void ticker_check::compare(const book_ticker& t, const top& b) {
  ++checked_;
  bool same = b.bid && b.ask && b.bid->px == t.bid.px && b.bid->qty == t.bid.qty
              && b.ask->px == t.ask.px && b.ask->qty == t.ask.qty;
  if (same) {
    ++agreed_;
    return;
  }
  if (first_disagreement_.empty())
    first_disagreement_ = "u=" + std::to_string(t.update_id) + " ticker "
                          + t.bid.px.to_string() + "@" + t.bid.qty.to_string() + " / "
                          + t.ask.px.to_string() + "@" + t.ask.qty.to_string() + ", book "
                          + show(b.bid) + " / " + show(b.ask);
}

} // namespace agora
