#include "actors/strategy/bar_builder.hpp"

#include <algorithm>
#include <utility>

namespace agora {

bar_builder::bar_builder(venue_id venue, symbol_id symbol, nanos interval,
                         size_t max_gap_bars)
  : venue_(std::move(venue)),
    symbol_(std::move(symbol)),
    interval_(std::max<nanos>(interval, 1)),
    max_gap_bars_(max_gap_bars) {
  open_.venue = venue_;
  open_.symbol = symbol_;
  open_.interval = interval_;
}

nanos bar_builder::align(nanos t) const noexcept {
  nanos q = t / interval_;
  if (t % interval_ != 0 && t < 0)
    --q;
  return q * interval_;
}

std::vector<bar> bar_builder::update(price px, quantity vol, nanos t) {
  std::vector<bar> out;
  const nanos start = align(t);
  if (has_open_) {
    if (start < open_.open_time)
      return out;
    if (start == open_.open_time) {
      open_.high = std::max(open_.high, px);
      open_.low = std::min(open_.low, px);
      open_.close = px;
      open_.volume += vol;
      return out;
    }
    close_open_bar(out);
  } else if (has_close_ && start < next_open_) {
    return out;
  }
  if (has_close_)
    emit_flat_until(start, out);
  open_at(start, px, vol);
  return out;
}

std::vector<bar> bar_builder::flush(nanos now) {
  std::vector<bar> out;
  const nanos start = align(now);
  if (has_open_) {
    if (open_.open_time >= start)
      return out;
    close_open_bar(out);
  }
  if (has_close_)
    emit_flat_until(start, out);
  return out;
}

bool bar_builder::resume_after(const bar& last) {
  const nanos next = align(last.open_time) + interval_;
  if (has_open_ || (has_close_ && next <= next_open_))
    return false;
  has_close_ = true;
  last_close_ = last.close;
  next_open_ = next;
  return true;
}

void bar_builder::close_open_bar(std::vector<bar>& out) {
  out.push_back(open_);
  has_open_ = false;
  has_close_ = true;
  last_close_ = open_.close;
  next_open_ = open_.open_time + interval_;
}

void bar_builder::emit_flat_until(nanos start, std::vector<bar>& out) {
  if (next_open_ >= start)
    return;
  const auto missing = static_cast<size_t>((start - next_open_) / interval_);
  if (missing > max_gap_bars_)
    next_open_ += static_cast<nanos>(missing - max_gap_bars_) * interval_;
  out.reserve(out.size() + std::min(missing, max_gap_bars_));
  while (next_open_ < start) {
    bar b;
    b.venue = venue_;
    b.symbol = symbol_;
    b.open_time = next_open_;
    b.interval = interval_;
    b.open = b.high = b.low = b.close = last_close_;
    out.push_back(std::move(b));
    next_open_ += interval_;
  }
}

void bar_builder::open_at(nanos start, price px, quantity vol) {
  has_open_ = true;
  open_.open_time = start;
  open_.open = open_.high = open_.low = open_.close = px;
  open_.volume = vol;
}

} // namespace agora
