#include "actors/alerts/sink_queue.hpp"

#include <utility>

namespace agora {

namespace {

size_t index_of(alert_level level) noexcept {
  auto i = static_cast<size_t>(level);
  return i < 4 ? i : 0;
}

} // namespace

bool sink_queue::push(queued_alert a) {
  auto& q = by_level_[index_of(a.alert.level)];
  q.push_back(entry{next_seq_++, std::move(a)});
  ++size_;
  if (size_ <= limit_)
    return false;
  for (auto& lowest : by_level_) {
    if (lowest.empty())
      continue;
    lowest.pop_front();
    --size_;
    ++dropped_;
    return true;
  }
  return false; // Unreachable: size_ > limit_ >= 0 means something is queued.
}

std::deque<sink_queue::entry>& sink_queue::oldest() {
  return const_cast<std::deque<entry>&>(std::as_const(*this).oldest());
}

const std::deque<sink_queue::entry>& sink_queue::oldest() const {
  const std::deque<entry>* best = nullptr;
  for (const auto& q : by_level_)
    if (!q.empty() && (best == nullptr || q.front().seq < best->front().seq))
      best = &q;
  return *best;
}

const queued_alert& sink_queue::front() const {
  return oldest().front().item;
}

queued_alert sink_queue::pop() {
  auto& q = oldest();
  auto out = std::move(q.front().item);
  q.pop_front();
  --size_;
  return out;
}

} // namespace agora
